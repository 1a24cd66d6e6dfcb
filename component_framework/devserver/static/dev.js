// cf dev: live reload with state kept, the error overlay, the gallery and the playground.
// Dev server only; no dependency, no build step. Components go through the real transport
// ({endpoint}/event); only the playground's "apply state" uses the dev-only /__cf__/render.
(function () {
  "use strict";

  var DEV = document.body.getAttribute("data-dev-prefix") || "/__cf__";
  var dev = (window.__cfDev = {
    version: Number(document.body.getAttribute("data-dev-version") || 0),
    rendered: 0, // re-renders done after reloads (for tests and benchmarks)
    errors: [],
  });

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function pretty(value) { return JSON.stringify(value, null, 2); }
  function parseJSON(text, what) {
    try { return { value: JSON.parse(text) }; }
    catch (e) { return { error: what + " is not valid JSON: " + e.message }; }
  }

  // ---------- Error overlay ----------

  function showOverlay(errors) {
    var box = $("cf-dev-overlay"), body = $("cf-dev-overlay-body");
    if (!box || !body) return;
    body.textContent = "";
    errors.forEach(function (error) {
      var part = el("section", { "class": "cf-overlay-error" });
      part.appendChild(el("div", { "class": "cf-overlay-kind" }, (error.kind || "error") + " error"));
      part.appendChild(el("div", { "class": "cf-overlay-message" }, error.message || String(error)));
      if (error.file) {
        part.appendChild(el("div", { "class": "cf-overlay-where" },
          error.file + (error.line ? ":" + error.line : "")));
      }
      if (error.source && error.source.length) {
        var src = el("div", { "class": "cf-overlay-source" });
        error.source.forEach(function (pair) {
          var row = el("div", pair[0] === error.line ? { "class": "cf-hot" } : {});
          row.appendChild(el("span", { "class": "cf-ln" }, pair[0]));
          row.appendChild(document.createTextNode(pair[1]));
          src.appendChild(row);
        });
        part.appendChild(src);
      }
      if (error.traceback) {
        var details = el("details", { "class": "cf-overlay-trace" });
        details.appendChild(el("summary", {}, "Traceback"));
        details.appendChild(el("pre", {}, error.traceback));
        part.appendChild(details);
      }
      body.appendChild(part);
    });
    body.appendChild(el("div", { "class": "cf-overlay-hint" },
      "The server keeps running. Fix the file and save: this page recovers by itself."));
    box.hidden = false;
    dev.errors = errors;
  }

  function hideOverlay() {
    var box = $("cf-dev-overlay");
    if (box) box.hidden = true;
    dev.errors = [];
  }

  var closeButton = $("cf-dev-overlay-close");
  if (closeButton) closeButton.addEventListener("click", hideOverlay);

  // ---------- Components on the page ----------

  function roots() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-cf-component][data-cf-id]"));
  }

  function endpointOf(root) { return root.getAttribute("data-cf-endpoint") || "/cf"; }

  // Without cf.js (it failed to load), replies are applied by replacing the inner HTML.
  function applyReply(root, reply) {
    root.setAttribute("data-cf-state", reply.state);
    root.setAttribute("data-cf-checksum", reply.checksum);
    if (reply.subscribe_token) root.setAttribute("data-cf-token", reply.subscribe_token);
    root.innerHTML = reply.html;
    root.dispatchEvent(new CustomEvent("cf:update", { bubbles: true, detail: reply }));
  }

  // Fire *event* (null: re-render with the state the page holds) through the real transport.
  // cf.js queues it behind the component's other requests and morphs the reply into the page.
  function fire(root, event, payload) {
    var cf = window.cf;
    if (cf && typeof cf.send === "function") return cf.send(root, event, payload || {});
    if (root.hasAttribute("data-cf-stream")) return sendStream(root, event, payload);
    return send(root, event, payload, root.getAttribute("data-cf-state"),
      root.getAttribute("data-cf-checksum")).then(function (reply) {
        if (reply.type === "component_update") applyReply(root, reply);
        return reply;
      });
  }

  function setSignedState(root, state, checksum) {
    root.setAttribute("data-cf-state", state);
    root.setAttribute("data-cf-checksum", checksum);
  }

  function post(url, body, headers) {
    var all = { "Content-Type": "application/json" };
    Object.keys(headers || {}).forEach(function (k) { all[k] = headers[k]; });
    return fetch(url, { method: "POST", headers: all, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () {
          return { type: "error", error: "HTTP " + response.status, code: "http" };
        });
      });
  }

  // One component_event through the public transport, exactly as cf.js sends it.
  function send(root, event, payload, state, checksum) {
    return post(endpointOf(root) + "/event", {
      type: "component_event",
      component: root.getAttribute("data-cf-component"),
      component_id: root.getAttribute("data-cf-id"),
      event: event,
      payload: payload || {},
      state: state,
      checksum: checksum,
    }, { "X-CF-Request": "1" });
  }

  // A streamed event: apply every frame as it arrives; resolve with the last one.
  function sendStream(root, event, payload) {
    var body = JSON.stringify({
      type: "component_event",
      component: root.getAttribute("data-cf-component"),
      component_id: root.getAttribute("data-cf-id"),
      event: event,
      payload: payload || {},
      state: root.getAttribute("data-cf-state"),
      checksum: root.getAttribute("data-cf-checksum"),
    });
    return fetch(endpointOf(root) + "/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CF-Request": "1" },
      body: body,
    }).then(function (response) {
      var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "", last = null;
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return last || { type: "error", error: "empty stream", code: "http" };
          buffer += decoder.decode(chunk.value, { stream: true });
          var frames = buffer.split("\n\n");
          buffer = frames.pop();
          frames.forEach(function (frame) {
            frame.split("\n").forEach(function (line) {
              if (line.indexOf("data:") !== 0) return;
              try { last = JSON.parse(line.slice(5)); } catch (e) { return; }
              if (last.type === "component_update") applyReply(root, last);
            });
          });
          return pump();
        });
      }
      return pump();
    });
  }

  // After a reload: every component re-renders with the state it holds (event null).
  function rerenderAll(version) {
    return Promise.all(roots().map(function (root) {
      return fire(root, null, {}).then(function (reply) {
        if (!reply || reply.type === "component_update") return null;
        return { kind: "render", message: reply.error || "Re-render failed", file: "", line: 0 };
      }, function (error) {
        return { kind: "render", message: String(error), file: "", line: 0 };
      });
    })).then(function (failures) {
      var errors = failures.filter(Boolean);
      if (errors.length && !dev.errors.length) showOverlay(errors);
      dev.rendered += 1;
      document.body.setAttribute("data-dev-rendered", String(version));
      document.dispatchEvent(new CustomEvent("cf:dev-rendered", { detail: { version: version } }));
    });
  }

  // ---------- Live channel ----------

  var status = $("cf-dev-status");
  function setStatus(text, state) {
    if (!status) return;
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  var handlers = {
    hello: function (msg) {
      setStatus(msg.reload === false ? "live (reload off)" : "live", "live");
      if (msg.errors && msg.errors.length) showOverlay(msg.errors);
      else if (dev.errors.length) { hideOverlay(); rerenderAll(msg.version); }
    },
    reload: function (msg) {
      dev.version = msg.version;
      document.body.setAttribute("data-dev-version", String(msg.version));
      if (msg.errors && msg.errors.length) {
        showOverlay(msg.errors);
        return;
      }
      hideOverlay();
      // A page that could not render its component (or did not know it) starts over.
      if ($("cf-render-error") || document.querySelector(".cf-notfound")) {
        location.reload();
        return;
      }
      rerenderAll(msg.version);
      if (msg.kind === "python") refreshGallery();
    },
    error: function (msg) { showOverlay([msg.error]); },
    registry: function () {
      if (document.querySelector(".cf-notfound")) location.reload();
      else refreshGallery();
    },
    event: function (msg) { if (playground) playground.logEvent(msg); },
  };

  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource(DEV + "/live");
    source.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      var handler = handlers[msg.type];
      if (handler) handler(msg);
    };
    source.onerror = function () { setStatus("reconnecting…", "down"); };
  }

  // ---------- Gallery ----------

  function filterGallery() {
    var list = $("cf-gallery-list");
    if (!list) return;
    var query = ($("cf-search").value || "").toLowerCase().trim();
    var kind = $("cf-kind").value;
    var shown = 0, cards = list.querySelectorAll(".cf-card");
    Array.prototype.forEach.call(cards, function (card) {
      var words = query.split(/\s+/).filter(Boolean);
      var text = card.getAttribute("data-search") || "";
      var visible = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
        (!kind || card.getAttribute("data-kind") === kind);
      card.hidden = !visible;
      if (visible) shown += 1;
    });
    var count = $("cf-count");
    if (count) count.textContent = shown + " of " + cards.length;
  }

  function refreshGallery() {
    var list = $("cf-gallery-list");
    if (!list) return;
    fetch(location.pathname, { headers: { Accept: "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("cf-gallery-list");
        if (fresh) { list.innerHTML = fresh.innerHTML; filterGallery(); }
      });
  }

  if ($("cf-gallery-list")) {
    $("cf-search").addEventListener("input", filterGallery);
    $("cf-kind").addEventListener("change", filterGallery);
    filterGallery();
  }

  // ---------- Playground ----------

  function shellQuote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }

  function dispatchCommand(name, entry) {
    var parts = ["cf dispatch", name, entry.event || ""];
    if (entry.state_before) parts.push("--state " + shellQuote(JSON.stringify(entry.state_before)));
    parts.push("--payload " + shellQuote(JSON.stringify(entry.payload || {})));
    return parts.filter(Boolean).join(" ");
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { fallbackCopy(text); });
    }
    fallbackCopy(text);
    return Promise.resolve();
  }

  function fallbackCopy(text) {
    var area = el("textarea", { style: "position:fixed;left:-9999px" });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    document.body.removeChild(area);
  }

  // Typed inputs for a list of fields ({name, type, input, default, choices}).
  function renderFields(container, fields, values, onChange) {
    container.textContent = "";
    fields.forEach(function (field) {
      var id = container.id + "-" + field.name;
      var label = el("label", { "for": id });
      label.appendChild(document.createTextNode(field.name + " "));
      label.appendChild(el("span", { "class": "cf-type" }, field.type));
      var input, value = field.name in values ? values[field.name] : field.default;
      if (field.input === "select") {
        input = el("select", { id: id, "data-field": field.name });
        field.choices.forEach(function (choice) {
          var option = el("option", { value: JSON.stringify(choice) }, choice);
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
      } else {
        input = el("input", { id: id, type: "text", "data-field": field.name, "data-json": "1" });
        if (value !== null && value !== undefined) input.value = JSON.stringify(value);
      }
      input.addEventListener(field.input === "checkbox" || field.input === "select" ? "change" : "input",
        function () { onChange(field, readField(field, input)); });
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
    return Object.keys(state).filter(function (key) {
      var v = state[key];
      return typeof v === "number" || typeof v === "boolean" || typeof v === "string";
    }).map(function (key) {
      var v = state[key];
      var input = typeof v === "boolean" ? "checkbox" :
        typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : "text";
      return { name: key, type: input === "checkbox" ? "bool" : typeof v === "string" ? "str" :
        input === "integer" ? "int" : "float", input: input, default: v, choices: [] };
    });
  }

  function editJSON(area, mutate) {
    var parsed = parseJSON(area.value || "{}", "JSON");
    var value = parsed.error || typeof parsed.value !== "object" || parsed.value === null ? {} : parsed.value;
    mutate(value);
    area.value = pretty(value);
  }

  function Playground(main) {
    var info = JSON.parse($("cf-dev-info").textContent);
    var self = this;
    var stage = $("cf-stage");
    var root = stage.querySelector("[data-cf-component][data-cf-id]");
    var log = $("cf-log");
    var entries = [];
    var stateArea = $("cf-state-json");
    var stateDirty = false;
    var initial = root ? {
      state: root.getAttribute("data-cf-state"),
      checksum: root.getAttribute("data-cf-checksum"),
    } : null;

    function currentState() {
      if (!root) return {};
      var parsed = parseJSON(root.getAttribute("data-cf-state") || "{}", "state");
      return parsed.error ? {} : parsed.value;
    }

    // A server-held state: the page holds {component, id, version}; the store holds the state.
    function isReference(state) {
      return Object.keys(state).sort().join(",") === "component,id,version";
    }

    function showState(force) {
      if (stateDirty && !force) return;
      var state = currentState();
      if (!isReference(state)) return paintState(state);
      post(DEV + "/state", { component: info.name, component_id: root.getAttribute("data-cf-id") },
        { "X-CF-Dev": "1" }).then(function (reply) {
        if (reply.type === "state" && !(stateDirty && !force)) paintState(reply.state || {});
      });
    }

    function paintState(state) {
      stateArea.value = pretty(state);
      stateDirty = false;
      var fields = scalarFields(state);
      var formFields = info.form_fields || [];
      var container = $("cf-state-fields");
      renderFields(container, fields, state, function (field, result) {
        stateDirty = true;
        editJSON(stateArea, function (value) {
          if (result.unset) delete value[field.name]; else value[field.name] = result.value;
        });
      });
      if (formFields.length) {
        var formBox = el("div", { "class": "cf-fields", id: "cf-form-fields" });
        container.appendChild(el("span", { "class": "cf-label" }, "form_data"));
        container.appendChild(el("span"));
        container.appendChild(formBox);
        renderFields(formBox, formFields, state.form_data || {}, function (field, result) {
          stateDirty = true;
          editJSON(stateArea, function (value) {
            value.form_data = value.form_data || {};
            if (result.unset) delete value.form_data[field.name];
            else value.form_data[field.name] = result.value;
          });
        });
      }
    }

    function showError(id, message) {
      var box = $(id);
      box.textContent = message || "";
      box.hidden = !message;
    }

    // A server-held component: remember the state it was mounted with, for replay.
    if (root && isReference(currentState())) {
      post(DEV + "/state", { component: info.name, component_id: root.getAttribute("data-cf-id") },
        { "X-CF-Dev": "1" }).then(function (reply) {
        if (reply.type === "state" && reply.state) initial.held = reply.state;
      });
    }

    // Keep the inspector in step with whatever updates the component (cf.js, reloads, us).
    if (root) {
      new MutationObserver(function () { showState(false); })
        .observe(root, { attributes: true, attributeFilter: ["data-cf-state"] });
      showState(true);
    }
    stateArea.addEventListener("input", function () { stateDirty = true; });
    $("cf-state-reset").addEventListener("click", function () { showState(true); });

    $("cf-state-form").addEventListener("submit", function (e) {
      e.preventDefault();
      if (!root) return;
      var parsed = parseJSON(stateArea.value, "State");
      if (parsed.error) return showError("cf-state-error", parsed.error);
      if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
        return showError("cf-state-error", "State must be a JSON object.");
      }
      showError("cf-state-error", "");
      post(DEV + "/render", {
        component: info.name,
        component_id: root.getAttribute("data-cf-id"),
        state: parsed.value,
      }, { "X-CF-Dev": "1" }).then(function (reply) {
        if (reply.type !== "component_update") return showError("cf-state-error", reply.error);
        // The dev server signed the edited state; the page renders it through the transport.
        stateDirty = false;
        setSignedState(root, reply.state, reply.checksum);
        return fire(root, null, {}).then(function () { showState(true); });
      });
    });

    // Mount params: typed inputs and JSON, applied by mounting again (a fresh page render).
    var paramsArea = $("cf-params-json");
    var paramsParsed = parseJSON(paramsArea.value || "{}", "params");
    renderFields($("cf-params-fields"), info.params || [], paramsParsed.value || {},
      function (field, result) {
        editJSON(paramsArea, function (value) {
          if (result.unset) delete value[field.name]; else value[field.name] = result.value;
        });
      });
    $("cf-params-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var parsed = parseJSON(paramsArea.value || "{}", "Params");
      var query = parsed.error ? paramsArea.value : JSON.stringify(parsed.value);
      location.search = "?params=" + encodeURIComponent(query);
    });

    // Event panel: typed inputs per handler argument, mirrored into the JSON payload.
    var eventSelect = $("cf-event-name");
    var payloadArea = $("cf-event-payload");
    function showEventFields() {
      var fields = (info.events || {})[eventSelect.value] || [];
      var payload = {};
      fields.forEach(function (f) { if (f.required || f.default !== null) payload[f.name] = f.default; });
      payloadArea.value = JSON.stringify(payload);
      renderFields($("cf-event-fields"), fields, payload, function (field, result) {
        editJSON(payloadArea, function (value) {
          if (result.unset) delete value[field.name]; else value[field.name] = result.value;
        });
      });
    }
    eventSelect.addEventListener("change", showEventFields);
    if (eventSelect.value) showEventFields();

    $("cf-event-form").addEventListener("submit", function (e) {
      e.preventDefault();
      if (!root) return;
      var parsed = parseJSON(payloadArea.value || "{}", "Payload");
      if (parsed.error) return showError("cf-event-error", parsed.error);
      showError("cf-event-error", "");
      fire(root, eventSelect.value, parsed.value).then(function (reply) {
        if (reply && reply.type === "error") {
          showError("cf-event-error", reply.error + " (" + reply.code + ")");
        }
      });
    });

    // Event log: one entry per event that went through the transport for this component.
    this.logEvent = function (msg) {
      if (!root || !msg.event || msg.component_id !== root.getAttribute("data-cf-id")) return;
      entries.push(msg);
      var item = el("li", { "class": "cf-log-entry" + (msg.error ? " cf-failed" : ""), "data-seq": msg.seq });
      var head = el("div", { "class": "cf-log-head" });
      head.appendChild(el("span", { "class": "cf-log-event" }, msg.event === null ? "(render)" : msg.event));
      head.appendChild(el("code", { "class": "cf-log-payload" }, JSON.stringify(msg.payload || {})));
      head.appendChild(el("span", { "class": "cf-log-ms", title: "server time" }, msg.server_ms + " ms"));
      head.appendChild(el("span", { "class": "cf-log-time" }, new Date(msg.at * 1000).toLocaleTimeString()));
      item.appendChild(head);
      if (msg.error) item.appendChild(el("div", { "class": "cf-error" }, msg.error + " (" + msg.code + ")"));
      var diff = el("ul", { "class": "cf-diff" });
      (msg.diff || []).forEach(function (change) {
        var text = change.op === "added" ? "+ " + change.path + ": " + JSON.stringify(change.new)
          : change.op === "removed" ? "- " + change.path + ": " + JSON.stringify(change.old)
            : "~ " + change.path + ": " + JSON.stringify(change.old) + " → " + JSON.stringify(change.new);
        diff.appendChild(el("li", { "class": "cf-" + change.op }, text));
      });
      if (!(msg.diff || []).length && !msg.error) diff.appendChild(el("li", { "class": "cf-muted" }, "state unchanged"));
      item.appendChild(diff);
      if (msg.event) {
        var command = dispatchCommand(info.name, msg);
        var button = el("button", { type: "button", "class": "cf-copy cf-secondary", "data-command": command, title: command },
          "Copy as cf dispatch command");
        button.addEventListener("click", function () {
          copyText(command).then(function () { button.textContent = "Copied"; });
        });
        item.appendChild(button);
      }
      log.appendChild(item);
    };

    $("cf-log-clear").addEventListener("click", function () { entries = []; log.textContent = ""; });

    // Replay: from the state the component was mounted with, fire the logged events again.
    $("cf-replay").addEventListener("click", function () {
      if (!root || !initial) return;
      var events = entries.filter(function (m) { return m.event; });
      entries = [];
      log.textContent = "";
      // A server-held state is put back in the store; a page-held one back in the page.
      var restored = initial.held === undefined
        ? Promise.resolve(setSignedState(root, initial.state, initial.checksum))
        : post(DEV + "/render", {
          component: info.name, component_id: root.getAttribute("data-cf-id"), state: initial.held,
        }, { "X-CF-Dev": "1" }).then(function (reply) {
          if (reply.type === "component_update") setSignedState(root, reply.state, reply.checksum);
        });
      // An event that failed when it was logged fails again (its state is unchanged): replay
      // goes on past it. Replay stops only where something fails that did not fail before.
      var stopped = null;
      var chain = restored.then(function () { return fire(root, null, {}); }).then(function (reply) {
        if (!reply || reply.type !== "component_update") stopped = { event: "(render)", reply: reply };
      });
      events.forEach(function (m) {
        chain = chain.then(function () {
          if (stopped) return;
          return fire(root, m.event, m.payload).then(function (reply) {
            if ((!reply || reply.type !== "component_update") && !m.error) {
              stopped = { event: m.event, reply: reply };
            }
          });
        });
      });
      chain.then(function () {
        showState(true);
        if (stopped) {
          var why = stopped.reply && stopped.reply.error ? stopped.reply.error : "no reply";
          showError("cf-event-error", "Replay stopped at " + stopped.event + ": " + why);
        } else {
          showError("cf-event-error", "");
        }
        document.body.setAttribute("data-dev-replayed", String(events.length));
      });
    });

    self.root = root;
  }

  var playground = $("cf-playground") ? new Playground($("cf-playground")) : null;
  dev.playground = playground;
  connect();
})();
