// cf dev: live reload with state kept, the error overlay, the story gallery and the playground.
// Dev server only; no dependency, no build step. Components live in the preview frame and go
// through the real transport with the frame's cf.js; only the playground's "apply state" and
// "step back" use the dev-only /__cf__/render.
(function () {
  "use strict";

  const DEV = document.body.getAttribute("data-dev-prefix") || "/__cf__";
  const dev = (window.__cfDev = {
    version: Number(document.body.getAttribute("data-dev-version") || 0),
    rendered: 0, // re-renders done after reloads (for tests and benchmarks)
    errors: [],
  });

  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => node.setAttribute(k, attrs[k]));
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  const pretty = (value) => JSON.stringify(value, null, 2);
  function parseJSON(text, what) {
    try { return { value: JSON.parse(text) }; }
    catch (e) { return { error: what + " is not valid JSON: " + e.message }; }
  }

  // ---------- Open in editor ----------

  // A link that opens *file* at *line*: the editor's URL scheme, or the dev server runs the
  // configured editor command (POST /__cf__/open, loopback only).
  const EDITOR = document.body.getAttribute("data-editor") || "";
  function upgradeLink(link, file, line) {
    link.classList.add("cf-open");
    link.title = "Open in your editor";
    if (EDITOR) {
      link.href = EDITOR.split("{file}").join(encodeURI(file)).split("{line}").join(String(line || 1));
      return link;
    }
    link.href = "#";
    link.addEventListener("click", (e) => {
      e.preventDefault();
      post(DEV + "/open", { file: file, line: Number(line) || 1 }).then((reply) => {
        link.setAttribute("data-opened", reply.error ? "error" : "ok");
        if (reply.error) link.title = reply.error;
      });
    });
    return link;
  }
  function openLink(file, line, text) { return upgradeLink(el("a", {}, text), file, line); }
  document.querySelectorAll("a.cf-open[data-file]").forEach((link) =>
    upgradeLink(link, link.getAttribute("data-file"), link.getAttribute("data-line")));

  // ---------- Error overlay ----------

  // What failed, in the words of the one who wrote it: a handler, a mount, a render.
  const KIND_LABELS = {
    handler: "Event handler error", mount: "Mount error", render: "Render error",
    template: "Template error", syntax: "Syntax error", import: "Import error",
    reload: "Re-render after reload failed",
  };

  function showOverlay(errors) {
    const box = $("cf-dev-overlay"), body = $("cf-dev-overlay-body");
    if (!box || !body) return;
    body.textContent = "";
    errors.forEach((error) => {
      const part = el("section", { "class": "cf-overlay-error" });
      part.appendChild(el("div", { "class": "cf-overlay-kind" },
        KIND_LABELS[error.kind] || (error.kind || "unknown") + " error"));
      part.appendChild(el("div", { "class": "cf-overlay-message" }, error.message || String(error)));
      if (error.file) {
        const where = el("div", { "class": "cf-overlay-where" });
        where.appendChild(openLink(error.file, error.line, error.file + (error.line ? ":" + error.line : "")));
        part.appendChild(where);
      }
      if (error.source && error.source.length) {
        const src = el("div", { "class": "cf-overlay-source" });
        error.source.forEach((pair) => {
          const row = el("div", pair[0] === error.line ? { "class": "cf-hot" } : {});
          row.appendChild(el("span", { "class": "cf-ln" }, pair[0]));
          row.appendChild(document.createTextNode(pair[1]));
          src.appendChild(row);
        });
        part.appendChild(src);
      }
      if (error.traceback) {
        const details = el("details", { "class": "cf-overlay-trace" });
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
    const box = $("cf-dev-overlay");
    if (box) box.hidden = true;
    dev.errors = [];
  }

  const closeButton = $("cf-dev-overlay-close");
  if (closeButton) closeButton.addEventListener("click", hideOverlay);

  // ---------- Components in the preview frame ----------

  const ROOT = "[data-cf-component][data-cf-id]";
  const frame = $("cf-frame");
  const frameDoc = () => (frame && frame.contentDocument) || null;

  function roots() {
    const doc = frameDoc();
    return doc ? Array.from(doc.querySelectorAll(ROOT)) : [];
  }

  // Fire *event* (null: re-render with the state the page holds) through the real transport:
  // the frame's cf.js queues it behind the component's other requests and morphs the reply in.
  function fire(root, event, payload) {
    const cf = root.ownerDocument.defaultView.cf;
    if (!cf) return Promise.reject(new Error("cf.js is not loaded in the preview frame"));
    return cf.send(root, event, payload || {});
  }

  function setSignedState(root, state, checksum) {
    root.setAttribute("data-cf-state", state);
    root.setAttribute("data-cf-checksum", checksum);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CF-Dev": "1" },
      body: JSON.stringify(body),
    }).then((response) => response.json().catch(() =>
      ({ type: "error", error: "HTTP " + response.status, code: "http" })));
  }

  function markRendered(version) {
    dev.rendered += 1;
    document.body.setAttribute("data-dev-rendered", String(version));
    document.dispatchEvent(new CustomEvent("cf:dev-rendered", { detail: { version: version } }));
  }

  // After a reload: every component re-renders with the state it holds (no event is fired).
  function rerenderAll(version) {
    return Promise.all(roots().map((root) => fire(root, null, {}).then((reply) => {
      if (!reply || reply.type === "component_update") return null;
      // The server's own report (the "error" message) names the failing line; this only says
      // that the re-render after the reload is what failed, not an event.
      const why = reply.code === "internal_error" ? "the component raised while rendering"
        : reply.error;
      return { kind: "reload", message: "The component could not re-render with its state: " + why };
    }, (error) => ({ kind: "reload", message: String(error) })))).then((failures) => {
      const errors = failures.filter(Boolean);
      if (errors.length && !dev.errors.length) showOverlay(errors);
      markRendered(version);
    });
  }

  // New stylesheets swapped in once loaded, so the preview keeps its state and never flashes.
  function refreshStyles(doc) {
    doc.querySelectorAll('link[rel="stylesheet"]').forEach((link) => {
      if (!link.href || link.href.indexOf("/project/") === -1) return;
      const url = new URL(link.href);
      url.searchParams.set("v", String(Date.now()));
      const fresh = link.cloneNode();
      fresh.href = url.toString();
      fresh.addEventListener("load", () => { link.remove(); markStyles(); });
      link.after(fresh);
    });
  }
  function markStyles() {
    document.body.setAttribute("data-dev-styles", String(Date.now()));
  }

  // ---------- Live channel ----------

  const status = $("cf-dev-status");
  function setStatus(text, state) {
    if (!status) return;
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  const handlers = {
    hello(msg) {
      setStatus(msg.reload === false ? "live (reload off)" : "live", "live");
      if (msg.errors && msg.errors.length) showOverlay(msg.errors);
      else if (dev.errors.length) { hideOverlay(); reloaded(msg); }
    },
    reload(msg) {
      dev.version = msg.version;
      document.body.setAttribute("data-dev-version", String(msg.version));
      if (msg.errors && msg.errors.length) {
        showOverlay(msg.errors);
        return;
      }
      hideOverlay();
      reloaded(msg);
    },
    error(msg) { showOverlay([msg.error]); },
    registry() { if (!playground) location.reload(); },
    styles() {
      const doc = frameDoc();
      if (doc) refreshStyles(doc);
      document.querySelectorAll(".cf-preview").forEach((host) => {
        if (host.shadowRoot) refreshStyles(host.shadowRoot);
      });
    },
    event(msg) { if (playground) playground.logEvent(msg); },
  };

  function reloaded(msg) {
    // A page that could not render its component (or did not know it) starts over.
    const doc = frameDoc();
    if (document.querySelector(".cf-notfound") || (doc && doc.getElementById("cf-story-error"))) {
      if (doc && playground) frame.contentWindow.location.reload(); else location.reload();
      return;
    }
    if (gallery) gallery.refresh(msg);
    else rerenderAll(msg.version);
  }

  function connect() {
    if (!window.EventSource) return;
    const source = new EventSource(DEV + "/live");
    source.onmessage = (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      const handler = handlers[msg.type];
      if (handler) handler(msg);
    };
    source.onerror = () => setStatus("reconnecting…", "down");
  }

  // ---------- Gallery ----------

  function Gallery(list) {
    const search = $("cf-search"), kind = $("cf-kind"), count = $("cf-count");
    const cards = Array.from(list.querySelectorAll(".cf-card"));
    const stories = cards.map((card) => ({
      card: card,
      kind: card.getAttribute("data-kind"),
      items: Array.from(card.querySelectorAll(".cf-story")).map((story) =>
        ({ node: story, text: story.getAttribute("data-search") || "" })),
      text: card.getAttribute("data-search") || "",
    }));

    // Every word must match; a card shows the stories that match (all, if its own text does).
    // Only what changes is written, and a hidden card's stories are left as they are (they are
    // set when it shows again): each write costs Chromium style and layout work.
    function filter() {
      const words = (search.value || "").toLowerCase().split(/\s+/).filter(Boolean);
      const wanted = kind.value;
      let shown = 0, storiesShown = 0;
      stories.forEach((entry) => {
        const kindOk = !wanted || entry.kind === wanted;
        const on = entry.items.map((item) => kindOk && words.every((w) => item.text.indexOf(w) !== -1));
        const visible = on.filter(Boolean).length;
        const cardOn = kindOk && (visible > 0 || words.every((w) => entry.text.indexOf(w) !== -1));
        if (cardOn) {
          entry.items.forEach((item, i) => { if (item.node.hidden === on[i]) item.node.hidden = !on[i]; });
        }
        if (entry.card.hidden === cardOn) entry.card.hidden = !cardOn;
        if (cardOn) shown += 1;
        storiesShown += visible;
      });
      if (count) count.textContent = shown + " of " + cards.length + " · " + storiesShown + " stories";
      const url = new URL(location.href);
      if (search.value) url.searchParams.set("q", search.value); else url.searchParams.delete("q");
      history.replaceState(null, "", url);
    }

    // After a save: re-render the previews of the components it touched (all, for Python).
    this.refresh = function (msg) {
      let names = null;
      if (msg.kind === "template" && msg.files) {
        const hit = cards.filter((card) => {
          const template = card.getAttribute("data-template");
          return template && msg.files.some((f) => f.endsWith("/" + template));
        });
        if (hit.length) names = hit.map((card) => card.getAttribute("data-name"));
      }
      const query = names ? "?" + names.map((n) => "component=" + encodeURIComponent(n)).join("&") : "";
      return fetch(DEV + "/previews" + query).then((r) => r.json()).then((previews) => {
        Object.keys(previews).forEach((id) => {
          const host = list.querySelector('.cf-preview[data-story="' + CSS.escape(id) + '"]');
          const box = host && host.shadowRoot && host.shadowRoot.querySelector("[data-cf-preview]");
          if (!box) return;
          const preview = previews[id];
          if (preview.error) {
            box.textContent = "";
            box.appendChild(el("p", { role: "alert" }, preview.error));
          } else {
            box.innerHTML = preview.html;
            live(host);
          }
        });
        markRendered(msg.version);
      });
    };

    // The previews are live components: cf.js handles the events inside their shadow roots.
    function live(host) { if (window.cf && host.shadowRoot) window.cf.scan(host.shadowRoot); }
    list.querySelectorAll(".cf-preview").forEach(live);
    // A preview's redirect or navigation would leave the gallery: said, not followed.
    if (window.cf && window.cf.effects) {
      ["redirect", "navigate"].forEach((type) => {
        window.cf.effects[type] = (root, effect) =>
          console.info(`cf dev: ${root.getAttribute("data-cf-component")} asked for a ${type} ` +
            `to ${effect.url}; the gallery stays (the playground's event log shows it too).`);
      });
    }

    search.addEventListener("input", filter);
    kind.addEventListener("change", filter);
    this.filter = filter;
    filter();
  }

  const gallery = $("cf-gallery-list") ? new Gallery($("cf-gallery-list")) : null;
  dev.gallery = gallery;

  // ---------- Playground ----------

  if ($("cf-playground")) window.__cfDevPlayground = true;
  const playground = $("cf-playground") ? new window.CfPlayground({
    $: $, el: el, pretty: pretty, parseJSON: parseJSON, fire: fire, post: post, DEV: DEV,
    setSignedState: setSignedState, frame: frame, showOverlay: showOverlay,
  }) : null;
  dev.playground = playground;
  dev.a11y = playground && window.CfA11y ? new window.CfA11y(frame, DEV) : null;
  connect();
})();
