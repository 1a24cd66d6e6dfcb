// cf dev playground: the story in its frame, the toolbar (viewport, theme, link), the state,
// params and event panels, and the event log (step back and forward, fork, replay, export).
// Loaded before dev.js, which creates it with the shared helpers.
(function () {
  "use strict";

  const VIEWPORTS = { mobile: 375, tablet: 768, desktop: null };

  function shellQuote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }

  function dispatchCommand(name, entry) {
    const parts = ["cf dispatch", name, entry.event || ""];
    if (entry.state_before) parts.push("--state " + shellQuote(JSON.stringify(entry.state_before)));
    parts.push("--payload " + shellQuote(JSON.stringify(entry.payload || {})));
    return parts.filter(Boolean).join(" ");
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return Promise.reject(new Error("The clipboard needs a secure context (localhost)."));
  }

  window.CfPlayground = function (h) {
    const $ = h.$, el = h.el, pretty = h.pretty, parseJSON = h.parseJSON;
    const info = JSON.parse($("cf-dev-info").textContent);
    const story = JSON.parse($("cf-dev-story").textContent);
    const frame = h.frame;
    const stage = $("cf-stage");
    const log = $("cf-log");
    const stateArea = $("cf-state-json");
    let root = null;
    let initial = null;
    let entries = []; // the events of this session, in order
    let position = 0; // how many of them the component is showing (entries.length: live)
    let stateDirty = false;
    let observer = null;
    const self = this;

    // ---------- Typed inputs ----------

    function renderFields(container, fields, values, onChange) {
      container.textContent = "";
      fields.forEach((field) => {
        const id = container.id + "-" + field.name;
        const label = el("label", { "for": id });
        label.appendChild(document.createTextNode(field.name + " "));
        label.appendChild(el("span", { "class": "cf-type" }, field.type));
        const value = field.name in values ? values[field.name] : field.default;
        let input;
        if (field.input === "select") {
          input = el("select", { id: id, "data-field": field.name });
          field.choices.forEach((choice) => {
            const option = el("option", { value: JSON.stringify(choice) }, choice);
            if (JSON.stringify(choice) === JSON.stringify(value)) option.selected = true;
            input.appendChild(option);
          });
        } else if (field.input === "checkbox") {
          input = el("input", { id: id, type: "checkbox", "data-field": field.name });
          input.checked = !!value;
        } else if (field.input === "integer" || field.input === "number") {
          input = el("input", { id: id, type: "number", "data-field": field.name });
          input.step = field.input === "integer" ? "1" : "any";
          if (value !== null && value !== undefined) input.value = value;
        } else if (field.input === "text") {
          input = el("input", { id: id, type: "text", "data-field": field.name });
          if (value !== null && value !== undefined) input.value = value;
        } else if (field.input === "file") {
          // Sent at once through the app's upload endpoint; the ids go with the event.
          input = el("input", { id: id, type: "file", "data-field": field.name });
          input.multiple = field.type.startsWith("list");
          if (field.accept.length) input.accept = field.accept.join(",");
          input.addEventListener("change", () => pickFiles(field.name, input.files));
          container.appendChild(label);
          container.appendChild(input);
          return;
        } else {
          input = el("input", { id: id, type: "text", "data-field": field.name, "data-json": "1" });
          if (value !== null && value !== undefined) input.value = JSON.stringify(value);
        }
        const on = field.input === "checkbox" || field.input === "select" ? "change" : "input";
        input.addEventListener(on, () => onChange(field, readField(field, input)));
        container.appendChild(label);
        container.appendChild(input);
      });
    }

    function readField(field, input) {
      if (field.input === "checkbox") return { value: input.checked };
      if (field.input === "select") return { value: JSON.parse(input.value) };
      if (field.input === "integer" || field.input === "number") {
        if (input.value === "") return { unset: true };
        return { value: field.input === "integer" ? parseInt(input.value, 10) : parseFloat(input.value) };
      }
      if (field.input === "text") return { value: input.value };
      if (input.value === "") return { unset: true };
      try { return { value: JSON.parse(input.value) }; } catch (e) { return { value: input.value }; }
    }

    function scalarFields(state) {
      return Object.keys(state).filter((key) => {
        const v = state[key];
        return typeof v === "number" || typeof v === "boolean" || typeof v === "string";
      }).map((key) => {
        const v = state[key];
        const input = typeof v === "boolean" ? "checkbox" :
          typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : "text";
        const type = { checkbox: "bool", text: "str", integer: "int", number: "float" }[input];
        return { name: key, type: type, input: input, default: v, choices: [] };
      });
    }

    function editJSON(area, mutate) {
      const parsed = parseJSON(area.value || "{}", "JSON");
      const value = parsed.error || typeof parsed.value !== "object" || parsed.value === null ? {} : parsed.value;
      mutate(value);
      area.value = pretty(value);
    }

    function showError(id, message) {
      const box = $(id);
      box.textContent = message || "";
      box.hidden = !message;
    }

    // ---------- The component and the URL ----------

    function currentState() {
      if (!root) return {};
      const parsed = parseJSON(root.getAttribute("data-cf-state") || "{}", "state");
      return parsed.error ? {} : parsed.value;
    }

    // A server-held state: the page holds {component, id, key, version}; the store holds the
    // state under the key.
    function isReference(state) {
      return Object.keys(state).sort().join(",") === "component,id,key,version";
    }

    function showState(force) {
      if (stateDirty && !force) return;
      const state = currentState();
      if (!isReference(state)) return paintState(state);
      h.post(h.DEV + "/state", { component: info.name, reference: root.getAttribute("data-cf-state") })
        .then((reply) => {
          if (reply.type === "state" && !(stateDirty && !force)) paintState(reply.state || {});
        });
    }

    let shownState = {};
    function paintState(state) {
      shownState = state;
      syncURL();
      stateArea.value = pretty(state);
      stateDirty = false;
      const container = $("cf-state-fields");
      renderFields(container, scalarFields(state), state, (field, result) => {
        stateDirty = true;
        editJSON(stateArea, (value) => {
          if (result.unset) delete value[field.name]; else value[field.name] = result.value;
        });
      });
      const formFields = info.form_fields || [];
      if (formFields.length) {
        const formBox = el("div", { "class": "cf-fields", id: "cf-form-fields" });
        container.appendChild(el("span", { "class": "cf-label" }, "form_data"));
        container.appendChild(el("span"));
        container.appendChild(formBox);
        renderFields(formBox, formFields, state.form_data || {}, (field, result) => {
          stateDirty = true;
          editJSON(stateArea, (value) => {
            value.form_data = value.form_data || {};
            if (result.unset) delete value.form_data[field.name];
            else value.form_data[field.name] = result.value;
          });
        });
      }
    }

    const settings = new URL(location.href).searchParams;

    // The address of what is on screen: story, params, state and toolbar.
    function urlFor(state) {
      const url = new URL(location.pathname, location.origin);
      url.searchParams.set("story", story.name);
      if (JSON.stringify(story.params) !== "{}") url.searchParams.set("params", JSON.stringify(story.params));
      if (state !== null) url.searchParams.set("state", JSON.stringify(state));
      ["viewport", "theme", "tab"].forEach((key) => { if (settings.get(key)) url.searchParams.set(key, settings.get(key)); });
      return url;
    }

    function syncURL() {
      if (!root || !initial) return;
      const now = root.getAttribute("data-cf-state");
      const changed = now !== initial.state || story.state !== null;
      history.replaceState(null, "", urlFor(changed ? shownState : null));
    }

    function fitFrame() {
      const doc = frame.contentDocument;
      if (!doc || !doc.documentElement) return;
      frame.style.height = Math.max(120, doc.documentElement.scrollHeight) + "px";
    }

    // The frame (re)loaded: find the component, watch its state, size the frame.
    function attach() {
      const doc = frame.contentDocument;
      if (!doc || doc.readyState === "loading") return;
      const frameCf = frame.contentWindow && frame.contentWindow.cf;
      if (frameCf && frameCf.effects) {
        // Shown in the event log instead: leaving the frame would leave the component.
        ["redirect", "navigate"].forEach((type) => { frameCf.effects[type] = () => {}; });
      }
      const found = doc.querySelector("[data-cf-component][data-cf-id]");
      if (found === root && root) return;
      root = found;
      if (root) watchUploads(doc);
      if (observer) observer.disconnect();
      initial = root ? {
        state: root.getAttribute("data-cf-state"),
        checksum: root.getAttribute("data-cf-checksum"),
      } : null;
      if (root && isReference(currentState())) {
        // A server-held component: remember the state it was mounted with (step back, replay).
        h.post(h.DEV + "/state", { component: info.name, reference: root.getAttribute("data-cf-state") })
          .then((reply) => { if (reply.type === "state" && reply.state) initial.held = reply.state; });
      }
      if (root) {
        observer = new MutationObserver(() => {
          showState(false);
          fitFrame();
          if (window.__cfDev && window.__cfDev.a11y) window.__cfDev.a11y.onUpdate();
        });
        observer.observe(root, { attributes: true, attributeFilter: ["data-cf-state"] });
        showState(true);
      }
      fitFrame();
      if (window.ResizeObserver && doc.body) new ResizeObserver(fitFrame).observe(doc.body);
      applyTheme();
      document.body.setAttribute("data-dev-frame", root ? "ready" : "empty");
    }
    frame.addEventListener("load", attach);
    attach();
    self.root = () => root;

    // ---------- Toolbar ----------

    function applyViewport() {
      const value = settings.get("viewport") || "desktop";
      const width = value in VIEWPORTS ? VIEWPORTS[value] : parseInt(value, 10);
      frame.style.width = width ? width + "px" : "100%";
      stage.setAttribute("data-viewport", value);
      document.querySelectorAll(".cf-viewport").forEach((b) =>
        b.setAttribute("aria-pressed", String(b.getAttribute("data-viewport") === value)));
    }

    function applyTheme() {
      const theme = settings.get("theme") || "light";
      stage.setAttribute("data-theme", theme);
      document.querySelectorAll(".cf-theme").forEach((b) =>
        b.setAttribute("aria-pressed", String(b.getAttribute("data-theme") === theme)));
      const doc = frame.contentDocument;
      if (!doc || !doc.documentElement) return;
      doc.documentElement.setAttribute("data-theme", theme);
      doc.documentElement.className = "cf-theme-" + theme;
      doc.documentElement.style.colorScheme = theme === "dark" ? "dark" : "";
    }

    function setSetting(key, value) {
      if (value) settings.set(key, value); else settings.delete(key);
      applyViewport();
      applyTheme();
      const url = new URL(location.href);
      if (value) url.searchParams.set(key, value); else url.searchParams.delete(key);
      history.replaceState(null, "", url);
    }

    document.querySelectorAll(".cf-viewport").forEach((button) => button.addEventListener("click", () => {
      $("cf-width").value = "";
      setSetting("viewport", button.getAttribute("data-viewport"));
    }));
    $("cf-width").addEventListener("change", () => {
      const width = parseInt($("cf-width").value, 10);
      setSetting("viewport", width >= 200 ? String(width) : "");
    });
    document.querySelectorAll(".cf-theme").forEach((button) => button.addEventListener("click", () =>
      setSetting("theme", button.getAttribute("data-theme"))));
    $("cf-copy-link").addEventListener("click", () => {
      copyText(location.href).then(() => { $("cf-copy-link").textContent = "Link copied"; },
        (e) => { $("cf-copy-link").textContent = e.message; });
    });
    applyViewport();

    // Preview and docs tabs (the docs tab stays in the URL: ?tab=docs).
    function showTab(name) {
      const docs = name === "docs";
      $("cf-docs-tab").hidden = !docs;
      stage.hidden = docs;
      document.querySelector(".cf-toolbar").hidden = docs;
      $("cf-tab-docs").setAttribute("aria-selected", String(docs));
      $("cf-tab-preview").setAttribute("aria-selected", String(!docs));
    }
    $("cf-tab-preview").addEventListener("click", () => { setSetting("tab", ""); showTab("preview"); });
    $("cf-tab-docs").addEventListener("click", () => { setSetting("tab", "docs"); showTab("docs"); });
    showTab(settings.get("tab") || "preview");

    // ---------- State, params and events ----------

    stateArea.addEventListener("input", () => { stateDirty = true; });
    $("cf-state-reset").addEventListener("click", () => showState(true));

    // The dev server signs *state*; the frame renders it through the transport.
    function renderState(state) {
      return h.post(h.DEV + "/render", {
        component: info.name,
        component_id: root.getAttribute("data-cf-id"),
        state: state,
        params: story.params,
      }).then((reply) => {
        if (reply.type !== "component_update") return reply;
        h.setSignedState(root, reply.state, reply.checksum);
        return h.fire(root, null, {});
      });
    }

    $("cf-state-form").addEventListener("submit", (e) => {
      e.preventDefault();
      if (!root) return;
      const parsed = parseJSON(stateArea.value, "State");
      if (parsed.error) return showError("cf-state-error", parsed.error);
      if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
        return showError("cf-state-error", "State must be a JSON object.");
      }
      showError("cf-state-error", "");
      stateDirty = false;
      renderState(parsed.value).then((reply) => {
        if (reply && reply.type === "error") return showError("cf-state-error", reply.error);
        showState(true);
      });
    });

    const paramsArea = $("cf-params-json");
    const paramsParsed = parseJSON(paramsArea.value || "{}", "params");
    renderFields($("cf-params-fields"), info.params || [], paramsParsed.value || {}, (field, result) => {
      editJSON(paramsArea, (value) => {
        if (result.unset) delete value[field.name]; else value[field.name] = result.value;
      });
    });
    $("cf-params-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const parsed = parseJSON(paramsArea.value || "{}", "Params");
      const url = new URL(location.href);
      url.searchParams.set("params", parsed.error ? paramsArea.value : JSON.stringify(parsed.value));
      url.searchParams.delete("state");
      location.href = url.toString();
    });

    const eventSelect = $("cf-event-name");
    const payloadArea = $("cf-event-payload");
    function showEventFields() {
      const fields = (info.events || {})[eventSelect.value] || [];
      const payload = {};
      // A required argument gets a value its type accepts, so the prefilled payload is valid.
      fields.forEach((f) => {
        if (f.input !== "file" && (f.required || f.default !== null)) payload[f.name] = f.example;
      });
      payloadArea.value = JSON.stringify(payload);
      renderFields($("cf-event-fields"), fields, payload, (field, result) => {
        editJSON(payloadArea, (value) => {
          if (result.unset) delete value[field.name]; else value[field.name] = result.value;
        });
      });
    }
    eventSelect.addEventListener("change", showEventFields);
    if (eventSelect.value) showEventFields();

    $("cf-event-form").addEventListener("submit", (e) => {
      e.preventDefault();
      if (!root) return;
      const parsed = parseJSON(payloadArea.value || "{}", "Payload");
      if (parsed.error) return showError("cf-event-error", parsed.error);
      showError("cf-event-error", "");
      h.fire(root, eventSelect.value, parsed.value).then((reply) => {
        if (reply && reply.type === "error") showError("cf-event-error", reply.error + " (" + reply.code + ")");
      });
    });

    // ---------- Files: picked here, uploaded from the frame, kept for export ----------

    const picked = []; // the files picked this session
    const uploaded = {}; // upload id -> the File it came from

    function pickFiles(name, files) {
      const frameCf = root && root.ownerDocument.defaultView.cf;
      if (!frameCf || !frameCf.uploads) return showError("cf-event-error", "cf-uploads.js is not loaded in the preview.");
      picked.push(...Array.from(files));
      frameCf.uploads.add(root, name, files);
    }

    function watchUploads(doc) {
      // Files picked or dropped in the component itself are kept for export too.
      doc.addEventListener("change", (e) => {
        if (e.target.type === "file") picked.push(...Array.from(e.target.files || []));
      }, true);
      doc.addEventListener("drop", (e) => {
        picked.push(...Array.from((e.dataTransfer && e.dataTransfer.files) || []));
      }, true);
      doc.addEventListener("cf:upload-done", (e) => {
        const file = picked.find((f) => f.name === e.detail.file && f.size === e.detail.size);
        if (file) uploaded[e.detail.upload_id] = file;
      });
    }

    // An event's files for export: {name: [{filename, data (base64)}]}, null if it has none.
    function filesOf(msg) {
      const fields = ((info.events || {})[msg.event] || []).filter((f) => f.input === "file");
      const reads = [];
      const files = {};
      fields.forEach((field) => {
        const value = (msg.payload || {})[field.name];
        const ids = Array.isArray(value) ? value : value ? [value] : [];
        files[field.name] = ids.map(() => null);
        ids.forEach((id, index) => {
          const file = uploaded[id];
          if (!file) return;
          reads.push(file.arrayBuffer().then((buffer) => {
            let binary = "";
            new Uint8Array(buffer).forEach((byte) => { binary += String.fromCharCode(byte); });
            files[field.name][index] = { filename: file.name, data: btoa(binary) };
          }));
        });
      });
      return Promise.all(reads).then(() => (Object.keys(files).length ? files : null));
    }

    // ---------- Event log and time ----------

    function showPosition() {
      $("cf-step-pos").textContent = position + " / " + entries.length;
      $("cf-step-back").disabled = position === 0;
      $("cf-step-forward").disabled = position >= entries.length;
      if (self.exportable) self.exportable();
      Array.from(log.children).forEach((item, index) => item.classList.toggle("cf-future", index >= position));
      document.body.setAttribute("data-dev-position", String(position));
    }

    this.logEvent = function (msg) {
      if (!root || !msg.event || msg.component_id !== root.getAttribute("data-cf-id")) return;
      // The page answered a push itself instead of applying the server's run of it.
      const replaced = msg.replaces ? entries.findIndex((m) => m.seq === msg.replaces) : -1;
      if (replaced >= 0) {
        entries[replaced] = msg;
        log.children[replaced].replaceWith(logItem(msg));
        showPosition();
        return;
      }
      if (position < entries.length) {
        // An event fired after stepping back starts a new branch: the later events are dropped.
        entries = entries.slice(0, position);
        while (log.children.length > position) log.lastChild.remove();
      }
      entries.push(msg);
      position = entries.length;
      log.appendChild(logItem(msg));
      showPosition();
    };

    function logItem(msg) {
      const item = el("li", { "class": "cf-log-entry" + (msg.error ? " cf-failed" : ""), "data-seq": msg.seq });
      const head = el("div", { "class": "cf-log-head" });
      head.appendChild(el("span", { "class": "cf-log-event" }, msg.event));
      if (msg.pushed) head.appendChild(el("span", { "class": "cf-badge cf-log-pushed", title: "a server push (the server ran it, or the page answered it)" }, "push"));
      head.appendChild(el("code", { "class": "cf-log-payload" }, JSON.stringify(msg.payload || {})));
      // A push the server ran once for every page in this state has no time of this page's.
      if (typeof msg.server_ms === "number") head.appendChild(el("span", { "class": "cf-log-ms", title: "server time" }, msg.server_ms + " ms"));
      head.appendChild(el("span", { "class": "cf-log-time" }, new Date(msg.at * 1000).toLocaleTimeString()));
      item.appendChild(head);
      if (msg.error) item.appendChild(el("div", { "class": "cf-error" }, msg.error + " (" + msg.code + ")"));
      const diff = el("ul", { "class": "cf-diff" });
      (msg.diff || []).forEach((change) => {
        const text = change.op === "added" ? "+ " + change.path + ": " + JSON.stringify(change.new)
          : change.op === "removed" ? "- " + change.path + ": " + JSON.stringify(change.old)
            : "~ " + change.path + ": " + JSON.stringify(change.old) + " → " + JSON.stringify(change.new);
        diff.appendChild(el("li", { "class": "cf-" + change.op }, text));
      });
      if (!(msg.diff || []).length && !msg.error) diff.appendChild(el("li", { "class": "cf-muted" }, "state unchanged"));
      item.appendChild(diff);
      if ((msg.effects || []).length) item.appendChild(effectList(msg.effects));
      const command = dispatchCommand(info.name, msg);
      const button = el("button", { type: "button", "class": "cf-copy cf-secondary", "data-command": command, title: command },
        "Copy as cf dispatch command");
      button.addEventListener("click", () => copyText(command).then(() => { button.textContent = "Copied"; }));
      item.appendChild(button);
      return item;
    }

    // What the reply asked the page to do; a redirect or a navigation is shown, not followed
    // (the preview frame stays on the component).
    function effectList(effects) {
      const list = el("ul", { "class": "cf-effects" });
      effects.forEach((effect) => {
        const fields = Object.keys(effect).filter((k) => k !== "type" && effect[k] !== null)
          .map((k) => k + "=" + (k === "flash" ? "(signed)" : JSON.stringify(effect[k])));
        const item = el("li", { "data-effect": effect.type }, "→ " + effect.type + " " + fields.join(" "));
        list.appendChild(item);
      });
      return list;
    }

    function stateAt(index) {
      if (index > 0) return entries[index - 1].state_after;
      return initial.held !== undefined ? initial.held : JSON.parse(initial.state);
    }

    // Back to the state the component was mounted with: a server-held one into the store
    // (the dev server signs and stores it), a page-held one into the page.
    function restoreInitial() {
      if (initial.held === undefined) {
        h.setSignedState(root, initial.state, initial.checksum);
        return Promise.resolve();
      }
      return h.post(h.DEV + "/render", {
        component: info.name, component_id: root.getAttribute("data-cf-id"), state: initial.held,
      }).then((reply) => {
        if (reply.type === "component_update") h.setSignedState(root, reply.state, reply.checksum);
      });
    }

    // Show the state after the first *index* events (0: as mounted), without firing them.
    function stepTo(index) {
      if (!root || !initial || index < 0 || index > entries.length) return Promise.resolve();
      position = index;
      showPosition();
      let done;
      if (index === 0) {
        done = restoreInitial().then(() => h.fire(root, null, {}));
      } else {
        done = renderState(stateAt(index));
      }
      return done.then(() => { showState(true); document.body.setAttribute("data-dev-stepped", String(index)); });
    }
    $("cf-step-back").addEventListener("click", () => stepTo(position - 1));
    $("cf-step-forward").addEventListener("click", () => stepTo(position + 1));

    // A new session (its own tab) starting from the state shown now.
    $("cf-fork").addEventListener("click", () => {
      if (!root) return;
      const url = urlFor(position === entries.length ? currentState() : stateAt(position));
      window.open(url.toString(), "_blank");
    });

    $("cf-log-clear").addEventListener("click", () => {
      entries = [];
      position = 0;
      log.textContent = "";
      showPosition();
    });

    // Replay: from the state the component was mounted with, fire the logged events again.
    $("cf-replay").addEventListener("click", () => {
      if (!root || !initial) return;
      const events = entries.slice(0, position);
      entries = [];
      position = 0;
      log.textContent = "";
      // An event that failed when it was logged fails again (its state is unchanged): replay
      // goes on past it. Replay stops only where something fails that did not fail before.
      let stopped = null;
      let chain = restoreInitial().then(() => h.fire(root, null, {})).then((reply) => {
        if (!reply || reply.type !== "component_update") stopped = { event: "(render)", reply: reply };
      });
      events.forEach((m) => {
        chain = chain.then(() => {
          if (stopped) return;
          return h.fire(root, m.event, m.payload).then((reply) => {
            if ((!reply || reply.type !== "component_update") && !m.error) stopped = { event: m.event, reply: reply };
          });
        });
      });
      chain.then(() => {
        showState(true);
        if (stopped) {
          const why = stopped.reply && stopped.reply.error ? stopped.reply.error : "no reply";
          showError("cf-event-error", "Replay stopped at " + stopped.event + ": " + why);
        } else {
          showError("cf-event-error", "");
        }
        document.body.setAttribute("data-dev-replayed", String(events.length));
      });
    });

    // Export: the events up to the one shown now, as a pytest file in the project's tests,
    // each with the state this session recorded after it (the replay must end there too).
    // A session that received a server push cannot be replayed by a test: say so up front.
    this.exportable = function () {
      const pushed = entries.slice(0, position).find((m) => m.pushed);
      const button = $("cf-export");
      const note = $("cf-export-note");
      button.disabled = !!pushed;
      note.textContent = pushed
        ? "Not exportable: this session received a server push (" + pushed.event + "), a change " +
          "from outside that a test cannot replay. Start a new session to export one."
        : "";
    };
    $("cf-export").addEventListener("click", () => {
      const logged = entries.slice(0, position).filter((m) => !m.error);
      const result = $("cf-export-result");
      // The files an event took go with it: the test sends them again (fixture files).
      Promise.all(logged.map((m) => filesOf(m).then((files) => {
        const event = { event: m.event, payload: m.payload || {}, state: m.state_after };
        if (files) event.files = files;
        return event;
      })))
        .then((events) => h.post(h.DEV + "/export", { component: info.name, params: story.params, events: events,
          component_id: root && root.getAttribute("data-cf-id") }))
        .then((reply) => {
          if (reply.error) { result.textContent = reply.error; result.setAttribute("data-state", "error"); return; }
          let text = "Wrote " + reply.path + " (run: " + reply.command + ")";
          if (story.state !== null) text += ". It starts from the mount params, not the story's state.";
          result.textContent = text;
          result.setAttribute("data-path", reply.path);
          result.setAttribute("data-state", "ok");
        });
    });
    showPosition();
  };
})();
