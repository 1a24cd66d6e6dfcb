/*! cf.js - the component_framework browser runtime. No build step, no dependencies.
 *
 * Roots: elements with data-cf-component (rendered by {{ component(...) }}) carry the
 * component's name, id, signed state, checksum, subscribe token, endpoint and signed mount
 * parameters (data-cf-mount: to mount it again when the server cannot use its state).
 * Bindings: cf-click, cf-submit, cf-change, cf-input, cf-keydown[.key...] = "event";
 * cf-payload='{"json": 1}', cf-debounce="ms", cf-throttle="ms", cf-model[.lazy]="field",
 * cf-text="state_key" (target of optimistic patches).
 * The <script> tag that loads cf.js may carry data-cf-headers='{"X-CSRFToken": "..."}' (sent
 * with every HTTP event and stream request) and data-cf-base="/cf" (the endpoint of roots
 * without data-cf-endpoint).
 * DOM events fired on a root: cf:before-request (before each request, cancelable; detail:
 * transport, url, message, headers), cf:update (detail: reply, once per SSE frame), cf:error,
 * cf:offline and cf:online (live roots, when the WebSocket drops and comes back), cf:recovered
 * (detail: how, "remount" or "reload", and reason, the refusal's code: the server could not use
 * the component's state and cf.js recovered it, keeping what the user typed).
 * Components inside an open shadow root come alive with cf.scan(shadowRoot): cf.js then listens
 * to that root's events (submit and change do not leave a shadow root) and finds its components
 * by id, for pushes and cf.send.
 */
(() => {
  "use strict";
  if (window.cf) return;

  const ROOT = "[data-cf-component]";
  const LOADING = "data-cf-loading";
  const OFFLINE = "data-cf-offline";
  const KEYS = {
    enter: "enter", esc: "escape", escape: "escape", space: " ", tab: "tab",
    up: "arrowup", down: "arrowdown", left: "arrowleft", right: "arrowright",
    backspace: "backspace", delete: "delete",
  };
  const SYSTEM = { shift: "shiftKey", ctrl: "ctrlKey", alt: "altKey", meta: "metaKey" };
  const NETWORK = "Network error: the server could not be reached. Try again.";
  // Every user change to a control takes the next number; a request remembers the number it
  // left at, so a reply can tell the changes the server saw from the ones made after.
  let inputSeq = 0;
  // Requests sent or waiting, on every root: none means a reload loses nothing in flight.
  let inFlight = 0;

  // ---------- Configuration from the <script> tag ----------

  const script = document.currentScript || document.querySelector('script[src*="cf.js"]');
  const config = { base: "/cf", headers: {} };
  // Which cf.js this is: the hash the server put in the script's URL (?v=), if any.
  let clientVersion = null;
  try { clientVersion = script ? new URL(script.src, location.href).searchParams.get("v") : null; }
  catch (e) { /* no URL: the version stays unknown */ }
  if (script) {
    config.base = script.getAttribute("data-cf-base") || config.base;
    const raw = script.getAttribute("data-cf-headers");
    try {
      const headers = raw ? JSON.parse(raw) : {};
      if (!headers || typeof headers !== "object" || Array.isArray(headers)) throw new Error();
      config.headers = headers;
    } catch (e) {
      console.error(`cf.js: data-cf-headers must be a JSON object of header names to values, ` +
        `got ${raw}; no extra headers are sent.`);
    }
  }

  // ---------- Helpers ----------

  // Where components live: the document and every shadow root cf.scan was given.
  const scopes = new Set([document]);
  // The elements matching *selector* in every scope still on the page.
  function all(selector) {
    const found = [];
    scopes.forEach((scope) => {
      if (scope !== document && !scope.host.isConnected) return;
      found.push(...scope.querySelectorAll(selector));
    });
    return found;
  }

  // cf.js's private data of an element (timers, counters, ...): one object per element.
  const internal = new WeakMap();
  function data(el) {
    let d = internal.get(el);
    if (!d) internal.set(el, (d = {}));
    return d;
  }

  const rootOf = (el) => (el && el.closest ? el.closest(ROOT) : null);
  const endpoint = (root) => root.getAttribute("data-cf-endpoint") || config.base;
  const own = (root, selector) =>
    Array.from(root.querySelectorAll(selector)).filter((el) => rootOf(el.parentElement) === root);
  const isControl = (el) =>
    el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
  const usesSocket = (root) =>
    root.hasAttribute("data-cf-live") || root.getAttribute("data-cf-transport") === "ws";
  const errorReply = (message, code) => ({ type: "error", error: message, code });
  // The reply of a request a cf:before-request listener cancelled: never shown.
  const CANCELLED = "cancelled";
  const cancelled = (reply) => Boolean(reply) && reply.type === "error" && reply.code === CANCELLED;

  // A control and the controls that change with it: the other radios of its group.
  function group(el) {
    if (el.type !== "radio" || !el.name) return [el];
    const scope = el.form || rootOf(el) || document;
    return Array.from(scope.querySelectorAll('input[type="radio"]'))
      .filter((other) => other.name === el.name);
  }

  function controlValue(el) {
    if (el.type === "checkbox") return el.checked;
    if (el.tagName === "SELECT" && el.multiple) {
      return Array.from(el.options).filter((o) => o.selected).map((o) => o.value);
    }
    return el.value;
  }

  function formControls(form) {
    return Array.from(form.elements).filter((el) =>
      el.name && !el.disabled && el.type !== "submit" && el.type !== "button" && el.type !== "file");
  }

  function formData(form) {
    const values = {};
    formControls(form).forEach((el) => {
      if (el.type === "radio") { if (el.checked) values[el.name] = el.value; return; }
      values[el.name] = controlValue(el);
    });
    return values;
  }

  // ---------- Loading state ----------

  function mark(el) {
    el.setAttribute(LOADING, "");
    el.classList.add("cf-loading");
    if (el.matches(ROOT)) el.setAttribute("aria-busy", "true");
  }

  function busy(el, on) {
    if (!el) return;
    const d = data(el);
    d.busy = Math.max(0, (d.busy || 0) + (on ? 1 : -1));
    if (d.busy) {
      mark(el);
    } else {
      el.removeAttribute(LOADING);
      el.classList.remove("cf-loading");
      if (el.matches(ROOT)) el.removeAttribute("aria-busy");
    }
  }

  // ---------- Errors ----------

  function showError(root, reply) {
    let box = own(root, "[data-cf-error]")[0];
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-cf-error", "client");
      box.setAttribute("role", "alert");
      box.className = "cf-error";
      root.insertBefore(box, root.firstChild);
    }
    box.hidden = false;
    box.textContent = reply.error || "Something went wrong.";
    root.setAttribute("data-cf-error-code", reply.code || "error");
    root.dispatchEvent(new CustomEvent("cf:error", { bubbles: true, detail: reply }));
  }

  function clearErrors(root) {
    own(root, '[data-cf-error="client"]').forEach((el) => el.remove());
    root.removeAttribute("data-cf-error-code");
  }

  // ---------- Morphing ----------

  const keyOf = (node) =>
    node.nodeType === 1 ? node.getAttribute("id") || node.getAttribute("cf-key") : null;

  function compatible(a, b) {
    if (!a || a.nodeType !== b.nodeType) return false;
    if (a.nodeType !== 1) return true;
    return a.tagName === b.tagName && keyOf(a) === keyOf(b) &&
      a.getAttribute("data-cf-component") === b.getAttribute("data-cf-component");
  }

  // What makes a node worth keeping: ids, cf-keys, named form controls and nested components
  // inside it. A node that holds something a later new node needs is never reused for another.
  const IDENTITY = "[id],[cf-key],[data-cf-component],input[name],select[name],textarea[name]";

  function identity(el) {
    if (el.hasAttribute("data-cf-component")) return "cf:" + el.getAttribute("data-cf-component");
    const key = keyOf(el);
    if (key) return "#" + key;
    return isControl(el) && el.name ? "name:" + el.name : null;
  }

  const NO_IDS = new Set();

  // The identities *node* holds (its own and its descendants'), as a Set.
  function idsOf(node, ctx) {
    if (node.nodeType !== 1) return NO_IDS;
    let ids = ctx.ids.get(node);
    if (ids) return ids;
    ids = new Set();
    const mine = identity(node);
    if (mine) ids.add(mine);
    if (!node.hasAttribute("data-cf-component")) {
      node.querySelectorAll(IDENTITY).forEach((el) => {
        const id = identity(el);
        if (id) ids.add(id);
      });
    }
    ctx.ids.set(node, ids);
    return ids;
  }

  // Whether one of *ids* is in *other* (a Set, or a Map of identity -> count).
  function shares(ids, other) {
    for (const id of ids) if (other.has(id)) return true;
    return false;
  }

  // The old children from *start* on (those not used yet), by tag and the identities they
  // hold, in order. first(ids, tag, test): the first not used yet holding one of *ids*.
  function oldChildren(start, ctx) {
    const position = new Map(), holders = new Map(), used = new Set();
    for (let n = start, i = 0; n; n = n.nextSibling, i++) {
      position.set(n, i);
      idsOf(n, ctx).forEach((id) => {
        const name = n.tagName + " " + id;
        if (!holders.has(name)) holders.set(name, []);
        holders.get(name).push(n);
      });
    }
    function first(ids, tag, test = () => true) {
      let best = null;
      for (const id of ids) {
        const nodes = holders.get(tag + " " + id) || [];
        while (nodes.length && used.has(nodes[0])) nodes.shift();
        const node = nodes.find((n) => !used.has(n) && test(n));
        if (node && (!best || position.get(node) < position.get(best))) best = node;
      }
      return best;
    }
    return { used, first };
  }

  // The old node to morph into *newNode*: by key, else by the identities it holds, else
  // *oldNode* if compatible and not held for a later new node. The old nodes not used yet
  // start at oldNode: when it matches, it is the first match. olds() indexes them; later()
  // counts the identities of the new nodes still to come.
  function findMatch(oldNode, newNode, olds, later, ctx) {
    if (!oldNode) return null;
    if (keyOf(newNode)) {
      if (compatible(oldNode, newNode)) return oldNode;
      return olds().first([identity(newNode)], newNode.tagName, (n) => compatible(n, newNode));
    }
    const ids = idsOf(newNode, ctx);
    const oldIds = idsOf(oldNode, ctx);
    if (ids.size) {
      if (oldNode.tagName === newNode.tagName && shares(oldIds, ids)) return oldNode;
      const holder = olds().first(ids, newNode.tagName);
      if (holder) return holder;
    }
    if (oldIds.size && !shares(oldIds, ids) && shares(oldIds, later())) return null;
    return compatible(oldNode, newNode) ? oldNode : null;
  }

  // identity -> how many of *nodes* hold it.
  function countIds(nodes, ctx) {
    const counts = new Map();
    nodes.forEach((node) => idsOf(node, ctx).forEach((id) => counts.set(id, (counts.get(id) || 0) + 1)));
    return counts;
  }

  function morphChildren(oldParent, newParent, ctx) {
    const kids = Array.from(newParent.childNodes);
    let oldNode = oldParent.firstChild;
    let i = 0;
    // Built when first needed (most renders keep the order: neither is), then kept current.
    let index = null, laterIds = null;
    const olds = () => index || (index = oldChildren(oldNode, ctx));
    const later = () => laterIds || (laterIds = countIds(kids.slice(i + 1), ctx));
    for (; i < kids.length; i++) {
      const newNode = kids[i];
      if (laterIds) {
        idsOf(newNode, ctx).forEach((id) => {
          const count = laterIds.get(id) - 1;
          if (count) laterIds.set(id, count);
          else laterIds.delete(id);
        });
      }
      const match = findMatch(oldNode, newNode, olds, later, ctx);
      if (!match) {
        oldParent.insertBefore(newNode, oldNode);
        ctx.added.push(newNode);
        continue;
      }
      if (index) index.used.add(match);
      // The old nodes before the match that no new node needs were deleted from the HTML:
      // removing them spares moving the match when they are all it follows (moving would
      // blur a focused input). The others wait for a later match or the end.
      const needed = (node) => {
        const held = idsOf(node, ctx);
        return held.size > 0 && (shares(held, idsOf(newNode, ctx)) || shares(held, later()));
      };
      while (oldNode !== match && !needed(oldNode)) {
        const next = oldNode.nextSibling;
        if (index) index.used.add(oldNode);
        oldParent.removeChild(oldNode);
        oldNode = next;
      }
      if (match === oldNode) oldNode = oldNode.nextSibling;
      else oldParent.insertBefore(match, oldNode);
      morphNode(match, newNode, ctx);
    }
    while (oldNode) {
      const next = oldNode.nextSibling;
      oldParent.removeChild(oldNode);
      oldNode = next;
    }
  }

  function syncAttributes(el, next) {
    const current = el.attributes, wanted = next.attributes;
    const d = internal.get(el);
    for (let i = current.length - 1; i >= 0; i--) {
      const name = current[i].name;
      if (!next.hasAttribute(name)) el.removeAttribute(name);
    }
    for (let i = 0; i < wanted.length; i++) {
      const { name, value } = wanted[i];
      if (el.getAttribute(name) !== value) el.setAttribute(name, value);
    }
    if (d && d.busy) mark(el); // still in flight: the server's attributes do not say so
  }

  function setValue(el, value) {
    if (el.value === value) return;
    if (el.getRootNode().activeElement === el && typeof el.selectionStart === "number") {
      const start = el.selectionStart, end = el.selectionEnd;
      el.value = value;
      try { el.setSelectionRange(Math.min(start, value.length), Math.min(end, value.length)); }
      catch (e) { /* input types without a caret */ }
    } else {
      el.value = value;
    }
  }

  // Whether the value the user gave *el* is one the server has not seen as of this render:
  // changed and never sent, changed again since it was last sent, or sent by a later request
  // whose reply is still to come. Such a value stays; every other control shows what the
  // server rendered.
  function unseen(el, seq) {
    const d = data(el);
    if (d.changed === undefined) return false;
    return d.sent === undefined || d.changed > d.sent || d.sent > seq;
  }

  function selectDefaults(el) {
    const options = Array.from(el.options);
    if (el.multiple) {
      options.forEach((o) => { o.selected = o.defaultSelected; });
      return;
    }
    let index = -1;
    options.forEach((o, i) => { if (o.defaultSelected) index = i; });
    if (index < 0) index = options.findIndex((o) => !o.disabled);
    el.selectedIndex = index;
  }

  function resetControl(el) {
    if (el.type === "checkbox" || el.type === "radio") el.checked = el.defaultChecked;
    else if (el.tagName === "SELECT") selectDefaults(el);
    else el.value = el.defaultValue;
  }

  function morphControl(el, next, ctx) {
    if (el.type === "file") return syncAttributes(el, next); // its files are the user's
    const keep = unseen(el, ctx.seq);
    if (el.type === "checkbox" || el.type === "radio") {
      const checked = el.checked;
      syncAttributes(el, next);
      el.checked = keep ? checked : next.hasAttribute("checked");
    } else if (el.tagName === "TEXTAREA") {
      const typed = el.value;
      syncAttributes(el, next);
      if (el.defaultValue !== next.textContent) el.defaultValue = next.textContent;
      setValue(el, keep ? typed : next.textContent);
    } else if (el.tagName === "SELECT") {
      const chosen = Array.from(el.selectedOptions).map((o) => o.value);
      syncAttributes(el, next);
      morphChildren(el, next, ctx);
      if (keep) Array.from(el.options).forEach((o) => { o.selected = chosen.includes(o.value); });
      else selectDefaults(el);
    } else {
      const typed = el.value;
      syncAttributes(el, next);
      setValue(el, keep ? typed : next.getAttribute("value") || "");
    }
  }

  function morphNode(el, next, ctx) {
    if (el.nodeType !== 1) {
      if (el.nodeValue !== next.nodeValue) el.nodeValue = next.nodeValue;
      return;
    }
    // A nested component keeps its own state: the parent's render does not reach into it.
    if (el.hasAttribute("data-cf-component")) return;
    if (isControl(el)) return morphControl(el, next, ctx);
    syncAttributes(el, next);
    morphChildren(el, next, ctx);
  }

  function morph(root, html, seq) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const ctx = { seq, added: [], ids: new WeakMap() };
    clearErrors(root);
    morphChildren(root, template.content, ctx);
    ctx.added.forEach((node) => { if (node.nodeType === 1) scan(node); });
  }

  // ---------- Replies ----------

  // Apply *reply* to *root*. seq: the inputSeq its request left at; none for a server push.
  function apply(root, reply, { seq = null } = {}) {
    if (cancelled(reply)) return false; // the app cancelled the request: nothing to show
    if (!reply || reply.type === "error") {
      showError(root, reply || errorReply("No reply from the server.", "no_reply"));
      return false;
    }
    if (reply.type !== "component_update") return true;
    const d = data(root);
    // A push shows the server's state as of the last reply this page applied.
    if (seq === null) seq = d.applied || 0;
    else d.applied = Math.max(d.applied || 0, seq);
    if (typeof reply.state === "string") root.setAttribute("data-cf-state", reply.state);
    if (reply.checksum) root.setAttribute("data-cf-checksum", reply.checksum);
    if (reply.subscribe_token) root.setAttribute("data-cf-token", reply.subscribe_token);
    if (reply.optimistic) root.setAttribute("data-cf-optimistic", JSON.stringify(reply.optimistic));
    served(root);
    if (typeof reply.html === "string") morph(root, reply.html, seq);
    root.dispatchEvent(new CustomEvent("cf:update", { bubbles: true, detail: reply }));
    return true;
  }

  // ---------- Optimistic UI ----------

  function optimistic(root, event, rawPayload) {
    let patches;
    try { patches = JSON.parse(root.getAttribute("data-cf-optimistic") || "null"); }
    catch (e) { return null; }
    const patch = patches && patches[event + "|" + (rawPayload || "")];
    if (!patch) return null;
    const undo = [];
    Object.keys(patch).forEach((key) => {
      own(root, "[cf-text]").forEach((el) => {
        if (el.getAttribute("cf-text") !== key) return;
        undo.push([el, el.textContent]);
        const value = patch[key];
        el.textContent = value === null || value === undefined ? "" :
          typeof value === "object" ? JSON.stringify(value) : String(value);
      });
    });
    return () => undo.forEach(([el, text]) => { el.textContent = text; });
  }

  // ---------- Transports ----------

  // The one place a component_event message is built, for every transport.
  function message(root, event, payload) {
    return {
      type: "component_event",
      component: root.getAttribute("data-cf-component"),
      component_id: root.getAttribute("data-cf-id"),
      event: event || null,
      payload: payload || {},
      state: root.getAttribute("data-cf-state"),
      checksum: root.getAttribute("data-cf-checksum"),
    };
  }

  // The app's last word on each request, before it is sent (htmx's htmx:configRequest):
  // cf:before-request on the root, cancelable; the message and headers in its detail are
  // what is sent (a listener may change or replace them). Null when a listener cancelled it.
  function beforeRequest(root, { transport, url, message: msg, headers = null }) {
    const detail = { transport, url, message: msg, headers };
    const ev = new CustomEvent("cf:before-request",
      { bubbles: true, composed: true, cancelable: true, detail });
    return root.dispatchEvent(ev) ? detail : null;
  }

  const cancelledReply = () =>
    errorReply("A cf:before-request listener cancelled the request.", CANCELLED);

  // POST *msg* to the root's endpoint + *path*; null when the app cancelled the request.
  function post(root, path, msg, transport) {
    const url = endpoint(root) + path;
    const request = beforeRequest(root, {
      transport,
      url,
      message: msg,
      headers: { ...config.headers, "Content-Type": "application/json", "X-CF-Request": "1" },
    });
    if (!request) return null;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: request.headers,
      body: JSON.stringify(request.message),
    });
  }

  const unreadable = (response) => () =>
    errorReply(`The server sent an unreadable reply (HTTP ${response.status}).`, "bad_reply");

  function httpEvent(root, msg) {
    const sent = post(root, "/event", msg, "http");
    if (!sent) return Promise.resolve(cancelledReply());
    return sent.then(
      (response) => {
        serverVersion(response.headers.get("X-CF-Version"));
        return response.json().catch(unreadable(response));
      },
      () => errorReply(NETWORK, "network_error"));
  }

  function parseFrames(text, onFrame) {
    const blocks = text.split("\n\n");
    const rest = blocks.pop();
    blocks.forEach((block) => {
      const lines = block.split("\n").filter((line) => line.startsWith("data:"));
      const payload = lines.map((line) => line.slice(5).replace(/^ /, "")).join("\n");
      if (payload) onFrame(JSON.parse(payload));
    });
    return rest;
  }

  function streamEvent(root, msg, onFrame) {
    let last = null;
    const frame = (f) => { last = f; onFrame(f); };
    const sent = post(root, "/stream", msg, "sse");
    if (!sent) return Promise.resolve(cancelledReply());
    return sent.then((response) => {
      serverVersion(response.headers.get("X-CF-Version"));
      if (!(response.headers.get("Content-Type") || "").includes("text/event-stream")) {
        // A refusal before the stream started (415, 400, 413) is one JSON reply.
        return response.json().catch(unreadable(response)).then((reply) => { frame(reply); return reply; });
      }
      const reader = response.body.getReader(), decoder = new TextDecoder();
      let buffer = "";
      const pump = () => reader.read().then((chunk) => {
        if (chunk.done) {
          parseFrames(buffer + decoder.decode() + "\n\n", frame);
          return last;
        }
        buffer = parseFrames(buffer + decoder.decode(chunk.value, { stream: true }), frame);
        return pump();
      });
      return pump();
    }).catch(() => {
      const error = errorReply(NETWORK, "network_error");
      onFrame(error);
      return error;
    });
  }

  // ---------- WebSocket: events, subscriptions, pushes ----------

  // The page's one socket and all its state, like LiveView's LiveSocket.
  class LiveSocket {
    constructor() {
      this.ws = null;
      this.url = null;
      this.open = false;
      this.firstAttempt = true; // no connection has failed yet: events may wait for the first one
      this.everConnected = false;
      this.offline = false;
      this.ref = 0;
      this.pending = new Map(); // ref -> resolve of the request waiting for its reply
      this.outbox = []; // {root, msg} waiting for the first connection
      this.backoff = 250;
      this.timer = null;
    }

    urlFor(root) {
      if (!this.url) {
        const scheme = location.protocol === "https:" ? "wss:" : "ws:";
        this.url = new URL(endpoint(root) + "/ws", location.href).href.replace(/^https?:/, scheme);
      }
      return this.url;
    }

    connect(root) {
      const url = this.urlFor(root);
      if (this.ws || this.timer) return;
      if (!("WebSocket" in window)) return this.goOffline("this browser has no WebSocket");
      const ws = (this.ws = new WebSocket(url));
      ws.onopen = () => this.opened();
      ws.onmessage = (e) => this.received(e.data);
      ws.onclose = () => this.closed(root);
    }

    opened() {
      this.open = true;
      this.backoff = 250;
      // After a drop or a failed start the page may have missed pushes: the server tells it
      // to re-sync (see onPush).
      const resync = this.everConnected || this.offline;
      this.everConnected = true;
      this.handshake();
      this.goOnline();
      all(ROOT + "[data-cf-live]").forEach((root) => this.subscribe(root, { resync }));
      const outbox = this.outbox;
      this.outbox = [];
      outbox.forEach(({ msg }) => this.ws.send(JSON.stringify(msg)));
    }

    received(text) {
      let reply;
      try { reply = JSON.parse(text); } catch (e) { return; }
      let ref = reply.ref;
      if (ref === undefined && reply.type === "error") {
        // A message the server could not read (too large) is answered without its ref. The
        // server answers a socket's messages in order, so it is the oldest one still waiting.
        ref = this.pending.keys().next().value;
      }
      const resolve = ref !== undefined && this.pending.get(ref);
      if (resolve) {
        this.pending.delete(ref);
        resolve(reply);
      } else if (onPush(reply)) {
        // push_event or resync: handled
      } else if (reply.type === "component_update" && reply.component_id) {
        const target = byId(reply.component_id);
        if (target) apply(target, reply);
      }
    }

    closed(root) {
      this.ws = null;
      this.open = false;
      this.firstAttempt = false;
      const pending = this.pending, outbox = this.outbox;
      this.pending = new Map();
      this.outbox = [];
      // Events that waited for a connection that never came go over HTTP instead.
      outbox.forEach(({ root: target, msg }) => {
        if (msg.type !== "component_event") return;
        const resolve = pending.get(msg.ref);
        pending.delete(msg.ref);
        const { ref, ...body } = msg;
        httpEvent(target, body).then(resolve);
      });
      pending.forEach((resolve) => resolve(errorReply("Connection lost; reconnecting.", "network_error")));
      this.goOffline(`the WebSocket ${this.url} is closed or could not connect`);
      const delay = this.backoff + Math.random() * this.backoff / 2;
      this.backoff = Math.min(this.backoff * 2, 10000);
      this.timer = setTimeout(() => { this.timer = null; this.connect(root); }, delay);
    }

    // Tell the server which cf.js this is; its reply names the one it serves (see Recovery).
    handshake() {
      if (!clientVersion) return;
      const ref = String(++this.ref);
      this.pending.set(ref, (reply) => { if (reply.type === "handshake") serverVersion(reply.version); });
      this.ws.send(JSON.stringify({ type: "handshake", version: clientVersion, ref }));
    }

    // Send *msg* for *root*; resolves with its reply (the cancelled reply when the app
    // cancelled it in cf:before-request).
    send(root, msg) {
      const request = beforeRequest(root, { transport: "ws", url: this.urlFor(root), message: msg });
      if (!request) return Promise.resolve(cancelledReply());
      const sent = request.message;
      return new Promise((resolve) => {
        sent.ref = String(++this.ref);
        this.pending.set(sent.ref, resolve);
        if (this.open) this.ws.send(JSON.stringify(sent));
        else this.outbox.push({ root, msg: sent });
        this.connect(root);
      });
    }

    // Subscribe *root* to the server's pushes; resync: the page may have missed some.
    subscribe(root, { resync = false } = {}) {
      const msg = {
        type: "subscribe",
        component_id: root.getAttribute("data-cf-id"),
        token: root.getAttribute("data-cf-token"),
        resync,
      };
      this.send(root, msg).then((reply) => {
        // A lost connection shows as the offline mark; it resubscribes when it reconnects.
        if (reply.type !== "error") {
          // Each subscription renews the token (tokens expire).
          if (reply.subscribe_token) root.setAttribute("data-cf-token", reply.subscribe_token);
          served(root);
          root.setAttribute("data-cf-subscribed", "");
        } else if (recoverable(reply, root)) {
          // The token is not one the server can use (a key changed, it expired): a remount
          // brings a new one, and subscribes again.
          enqueue(root, () => recover(root, reply).then((ok) => { if (!ok) showError(root, reply); }));
        } else if (reply.code !== "network_error" && !cancelled(reply)) showError(root, reply);
      });
    }

    // Events go over the socket when it is open or opening for the first time (they wait in
    // the outbox); over HTTP otherwise: events never wait for a reconnect.
    usable() { return this.open || (this.ws !== null && this.firstAttempt); }

    goOffline(why) {
      if (!this.offline) {
        this.offline = true;
        console.warn(`cf.js: live updates are offline (${why}); the page may be out of date ` +
          "until it reconnects. Retrying with backoff.");
      }
      all(ROOT).forEach((root) => { if (usesSocket(root)) markOffline(root, true); });
    }

    goOnline() {
      if (!this.offline) return;
      this.offline = false;
      console.info("cf.js: live updates are back online.");
      all(ROOT + "[" + OFFLINE + "]").forEach((root) => markOffline(root, false));
    }
  }

  const socket = new LiveSocket();

  function markOffline(root, on) {
    if (root.hasAttribute(OFFLINE) === on) return;
    root.toggleAttribute(OFFLINE, on);
    if (on) root.removeAttribute("data-cf-subscribed");
    root.classList.toggle("cf-offline", on);
    root.dispatchEvent(new CustomEvent(on ? "cf:offline" : "cf:online", { bubbles: true }));
  }

  // ---------- Server pushes: push_event, resync, unsubscribed ----------
  // push_event: the page handles the event with its own state, as if it had fired it (the
  // usual request: permissions, signing, per-page state). resync: the page may have missed
  // pushes; it sends the component's resync event, or renders its state again (event null),
  // at a random moment within the server's jitter (ms): after a broker outage every page is
  // told at once, and their answers must not all arrive together. A resync told while one
  // waits is already covered by it (the answer reads the state when it is sent). unsubscribed
  // (with a code): the server stopped the pushes (the user lost access); the page shows why.
  const resyncing = new Set(); // ids whose resync waits for its moment
  function onPush(msg) {
    const id = msg.component_id || "";
    if (msg.type === "unsubscribed" && msg.code) {
      const root = byId(id);
      if (root) {
        root.removeAttribute("data-cf-subscribed");
        showError(root, msg);
      }
      return true;
    }
    if (msg.type !== "push_event" && msg.type !== "resync") return false;
    const send = () => {
      const root = byId(id);
      if (root) request(root, { event: msg.event || null, payload: msg.payload || {} });
    };
    const jitter = msg.type === "resync" ? Number(msg.jitter) || 0 : 0;
    if (jitter <= 0) send();
    else if (!resyncing.has(id)) {
      resyncing.add(id);
      setTimeout(() => { resyncing.delete(id); send(); }, Math.random() * jitter);
    }
    return true;
  }

  // ---------- Requests ----------

  function enqueue(root, task) {
    const d = data(root);
    const run = (d.queue || Promise.resolve()).then(task, task);
    d.queue = run.catch(() => {});
    return run;
  }

  // Send one event for *root*, after every earlier one of the same component.
  //   event: the handler's event (none: render the state again); payload: its arguments;
  //   source: the element that fired it (it shows the loading state); sent: the controls
  //   whose values the payload carries; rawPayload: the cf-payload text (optimistic patches).
  function request(root, { event = null, payload = {}, source = null, sent = [], rawPayload = null } = {}) {
    const undo = event ? optimistic(root, event, rawPayload) : null;
    busy(root, true);
    busy(source, true);
    inFlight++;
    // A change after this moment is newer than the payload: the reply must not overwrite it.
    const seq = inputSeq;
    sent.forEach((el) => group(el).forEach((control) => { data(control).sent = seq; }));
    return enqueue(root, () => {
      const show = (reply) => apply(root, reply, { seq });
      // A state the server cannot use is not an error to show: the page recovers (Recovery).
      const recovers = (reply) => recoverable(reply, root);
      return transmit(root, message(root, event, payload), (reply) => recovers(reply) || show(reply))
        .then((reply) => (recovers(reply) ? recoverAndResend(root, reply, { event, payload, source, show }) : reply))
        .then((reply) => {
          if (undo && (!reply || reply.type === "error")) undo();
          return reply;
        });
    }).then((reply) => {
      busy(root, false);
      busy(source, false);
      inFlight--;
      whenSafe();
      return reply;
    });
  }

  // Send *msg* for *root* on its transport (a stream, the socket or HTTP); *onReply* gets each
  // reply (each frame of a stream). Resolves with the (last) reply.
  function transmit(root, msg, onReply) {
    if (root.hasAttribute("data-cf-stream")) return streamEvent(root, msg, onReply);
    const viaSocket = root.getAttribute("data-cf-transport") === "ws" && socket.usable();
    return (viaSocket ? socket.send(root, msg) : httpEvent(root, msg))
      .then((reply) => { onReply(reply); return reply; });
  }

  // ---------- Recovery: pages that outlive the state the server gave them ----------
  // When the server refuses a state the page sent back exactly as it got it (stale_state: a
  // new release, an expired stored state; tampered_state then means a key the server lost),
  // the component is mounted again from its signed mount parameters (data-cf-mount), the
  // changed controls' values are sent again through their bindings, and so is the refused
  // event. If the server refuses those parameters too, or there are none, the page reloads
  // once, keeping what was typed (sessionStorage; never passwords). A page whose cf.js is not
  // the server's reloads so when nothing is in flight and no control is focused.
  // docs/core.md, "Pages that outlive their state", says why this is safe.

  const SIGNED = ["data-cf-state", "data-cf-checksum", "data-cf-token"];
  const signed = (root) => SIGNED.map((name) => root.getAttribute(name)).join("\n");
  // What the server gave *root* (its render, each reply, each subscription).
  function served(root) { data(root).served = signed(root); }
  const recoverable = (reply, root) => Boolean(reply) && reply.type === "error" &&
    (reply.code === "stale_state" || (reply.code === "tampered_state" && data(root).served === signed(root)));
  const SAVED = "cf:recovery", RELOADED = "cf:reloaded"; // sessionStorage keys
  const GUARD_MS = 30000; // at most one reload, and one remount per root, in this time

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  const changedControls = (root) => own(root, "input,select,textarea")
    .filter((el) => data(el).changed !== undefined && el.type !== "file");

  // The event and payload the binding of control *el* sends for its value, or null.
  function replayOf(el) {
    const model = el.getAttributeNames().find((n) => n === "cf-model" || n.startsWith("cf-model."));
    if (model) {
      const field = el.getAttribute(model);
      return field ? { event: "field_change", payload: { field, value: controlValue(el) } } : null;
    }
    const binding = bindingOf(el, "change", null) || bindingOf(el, "input", null);
    if (!binding || !binding.event) return null;
    let payload;
    try { payload = JSON.parse(el.getAttribute("cf-payload") || "{}"); } catch (e) { return null; }
    if (!("value" in payload)) payload.value = controlValue(el);
    return { event: binding.event, payload };
  }

  // Send the values of *root*'s changed controls again, in the order they changed.
  function replay(root) {
    return changedControls(root)
      .filter((el) => el.type !== "radio" || el.checked)
      .sort((a, b) => data(a).changed - data(b).changed)
      .reduce((chain, el) => chain.then(() => {
        const step = replayOf(el);
        if (!step) return null;
        const seq = inputSeq;
        group(el).forEach((control) => { data(control).sent = seq; });
        return transmit(root, message(root, step.event, step.payload), (r) => apply(root, r, { seq }));
      }), Promise.resolve());
  }

  function announce(root, how, reason) {
    console.info(`cf.js: recovered ${root.getAttribute("data-cf-component")} from ${reason} by a ${how}.`);
    root.dispatchEvent(new CustomEvent("cf:recovered", { bubbles: true, detail: { how, reason } }));
  }

  // Mount *root*'s component again, in its queue slot: resolves with the remount's reply, or
  // null when the page cannot recover (or reloads).
  function recover(root, refused) {
    const d = data(root);
    const mount = root.getAttribute("data-cf-mount");
    if (Date.now() - (d.remountedAt || 0) < GUARD_MS) return Promise.resolve(null);
    if (mount === null) return reloadKeepingInput(refused.code);
    d.remountedAt = Date.now();
    // The fresh state has seen nothing the user typed: every changed control keeps its value.
    changedControls(root).forEach((el) => { delete data(el).sent; });
    const seq = inputSeq;
    const msg = { ...message(root, null, {}), state: null, checksum: null,
      mount, mount_checksum: root.getAttribute("data-cf-mount-checksum") };
    const ok = (reply) => Boolean(reply) && reply.type !== "error";
    return transmit(root, msg, (reply) => ok(reply) && apply(root, reply, { seq })).then((reply) => {
      if (!ok(reply)) { // unreachable: nothing to reload from; refused: only a reload is left
        return reply && reply.code === "network_error" ? null : reloadKeepingInput(refused.code);
      }
      if (root.hasAttribute("data-cf-live") && socket.open) socket.subscribe(root);
      return replay(root).then(() => { announce(root, "remount", refused.code); return reply; });
    });
  }

  // request()'s way out: recover, then send the event again (not a control's own change,
  // which the replay sent).
  function recoverAndResend(root, refused, { event, payload, source, show }) {
    return recover(root, refused).then((remounted) => {
      if (!remounted) { show(refused); return refused; }
      if (!event || (source && isControl(source) && replayOf(source))) return remounted;
      return transmit(root, message(root, event, payload), show);
    });
  }

  // Reload, keeping what was typed; resolves (null) only if the page is still here later.
  function reloadKeepingInput(reason) {
    const store = storage();
    if (!store || Math.abs(Date.now() - Number(store.getItem(RELOADED))) < GUARD_MS) {
      return Promise.resolve(null);
    }
    store.setItem(RELOADED, String(Date.now()));
    save(reason);
    window.addEventListener("pagehide", () => save(reason)); // what is typed until it goes
    location.reload();
    return new Promise((resolve) => setTimeout(() => resolve(null), 10000));
  }

  // [key, control] of *root*'s controls: a key names the same control after a reload.
  function keyedControls(root) {
    const seen = new Map();
    return own(root, "input,select,textarea").map((el, i) => {
      const base = el.name ? `${el.name}=${checkable(el) ? el.value : ""}` : el.id ? "#" + el.id : "@" + i;
      seen.set(base, (seen.get(base) || 0) + 1);
      return [base + "/" + seen.get(base), el];
    });
  }

  const KEPT_OUT = new Set(["password", "file", "hidden"]);
  const checkable = (el) => el.type === "checkbox" || el.type === "radio";

  function save(reason) {
    const roots = [], counts = new Map();
    let focus = null;
    document.querySelectorAll(ROOT).forEach((root) => {
      const name = root.getAttribute("data-cf-component");
      const index = counts.get(name) || 0;
      counts.set(name, index + 1);
      const controls = keyedControls(root).filter(([key, el]) => {
        if (document.activeElement === el) {
          focus = { name, index, key, start: el.selectionStart, end: el.selectionEnd };
        }
        return data(el).changed !== undefined && !KEPT_OUT.has(el.type);
      }).map(([key, el]) => [key, checkable(el) ? el.checked : controlValue(el), data(el).changed]);
      if (controls.length) roots.push({ name, index, controls });
    });
    const saved = { url: location.href, at: Date.now(), reason, roots, focus };
    try { storage().setItem(SAVED, JSON.stringify(saved)); } catch (e) { /* full */ }
  }

  // Whether the user changed *el* from what the server rendered.
  function edited(el) {
    if (checkable(el)) return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return Array.from(el.options).some((o) => o.selected !== o.defaultSelected);
    return el.value !== el.defaultValue;
  }

  // After cf.js reloaded the page: the controls get back what was typed (unless the user
  // changed them since), and it is sent to the server.
  function restore() {
    const store = storage();
    let saved = null;
    try {
      saved = JSON.parse(store.getItem(SAVED));
      store.removeItem(SAVED);
    } catch (e) { return; }
    if (!saved || saved.url !== location.href || !(Math.abs(Date.now() - saved.at) < 2 * GUARD_MS)) return;
    const rootAt = ({ name, index }) =>
      Array.from(document.querySelectorAll(ROOT)).filter((r) => r.getAttribute("data-cf-component") === name)[index];
    saved.roots.forEach((record) => {
      const root = rootAt(record);
      if (!root) return;
      const keyed = new Map(keyedControls(root));
      record.controls.forEach(([key, value]) => {
        const el = keyed.get(key);
        if (!el || KEPT_OUT.has(el.type) || edited(el)) return;
        if (checkable(el)) el.checked = Boolean(value);
        else if (el.multiple && Array.isArray(value)) {
          Array.from(el.options).forEach((o) => { o.selected = value.includes(o.value); });
        } else el.value = String(value);
        inputSeq++;
        group(el).forEach((control) => { data(control).changed = inputSeq; });
      });
      enqueue(root, () => replay(root).then(() => announce(root, "reload", saved.reason)));
    });
    const at = saved.focus && rootAt(saved.focus);
    const el = at && new Map(keyedControls(at)).get(saved.focus.key);
    if (el) {
      el.focus();
      try { el.setSelectionRange(saved.focus.start, saved.focus.end); } catch (e) { /* no caret */ }
    }
  }

  // A reply or the socket's handshake named the cf.js the server serves.
  let outdated = false;
  function serverVersion(version) {
    if (outdated || !clientVersion || !version || version === clientVersion) return;
    outdated = true;
    console.info(`cf.js: the server serves cf.js ${version}, this page runs ${clientVersion}: ` +
      "it reloads at the first safe moment, keeping what was typed.");
    document.addEventListener("focusout", () => setTimeout(whenSafe, 0));
    document.addEventListener("visibilitychange", whenSafe);
    whenSafe();
  }

  function whenSafe() {
    const focused = document.activeElement;
    if (!outdated || inFlight > 0 || (!document.hidden && focused && isControl(focused))) return;
    outdated = false; // one try: a guarded reload leaves the page as it is
    reloadKeepingInput("client_outdated");
  }

  // ---------- Bindings ----------

  function keyMatches(ev, mods) {
    let wanted = null;
    for (const mod of mods) {
      if (SYSTEM[mod]) { if (!ev[SYSTEM[mod]]) return false; continue; }
      if (mod === "prevent" || mod === "stop") continue;
      wanted = KEYS[mod] || mod;
    }
    return wanted === null || (ev.key || "").toLowerCase() === wanted;
  }

  function bindingOf(el, type, ev) {
    for (const name of el.getAttributeNames()) {
      if (name !== "cf-" + type && !name.startsWith("cf-" + type + ".")) continue;
      const mods = name.split(".").slice(1);
      if (type === "keydown" && !keyMatches(ev, mods)) continue;
      return { event: el.getAttribute(name), mods };
    }
    return null;
  }

  // The debounced cf-model updates of *root* waiting for quiet: control -> send.
  const pendingModels = (root) => data(root).models || (data(root).models = new Map());

  // Send the debounced cf-model updates of *root* now, so an action sees the latest values.
  function flushModels(root) {
    const pending = pendingModels(root);
    pending.forEach((send, el) => {
      clearTimeout(data(el).timers.model);
      pending.delete(el);
      send();
    });
  }

  function limited(el, key, send) {
    const timers = data(el).timers || (data(el).timers = {});
    const debounce = parseInt(el.getAttribute("cf-debounce") || (key === "model" ? "150" : ""), 10);
    const throttle = parseInt(el.getAttribute("cf-throttle") || "", 10);
    if (throttle > 0) {
      const now = Date.now();
      if (timers[key + ":t"] && now - timers[key + ":t"] < throttle) return;
      timers[key + ":t"] = now;
    }
    if (!(debounce > 0)) return send();
    clearTimeout(timers[key]);
    if (key === "model") {
      const pending = pendingModels(rootOf(el));
      pending.set(el, send);
      timers[key] = setTimeout(() => { pending.delete(el); send(); }, debounce);
    } else {
      timers[key] = setTimeout(send, debounce);
    }
  }

  function fire(el, binding, type, ev) {
    const root = rootOf(el);
    if (!root || !binding.event) return;
    if (type !== "input" && type !== "change") ev.preventDefault();
    if (binding.mods.includes("stop")) ev.stopPropagation();
    const raw = el.getAttribute("cf-payload");
    let payload = {};
    if (raw) {
      try { payload = JSON.parse(raw); }
      catch (e) { showError(root, errorReply("cf-payload is not valid JSON: " + raw, "bad_payload")); return; }
    }
    flushModels(root);
    // The controls whose values the server will see; the one that fired counts too.
    const sent = type === "submit" && el.tagName === "FORM" ? formControls(el) : [el];
    if (type === "submit" && el.tagName === "FORM") payload = { form_data: formData(el) };
    else if (type !== "click" && isControl(el) && !("value" in payload)) payload.value = controlValue(el);
    limited(el, type, () => {
      const seq = inputSeq;
      request(root, { event: binding.event, payload, source: el, sent, rawPayload: raw }).then((reply) => {
        // <form cf-submit="..." cf-reset>: clear the inputs once the server accepted them,
        // except those the user changed after the submit (the next item being typed).
        if (type === "submit" && el.hasAttribute("cf-reset") && reply && reply.type !== "error") {
          sent.forEach((control) => { if (!(data(control).changed > seq)) resetControl(control); });
        }
      });
    });
  }

  function model(el, ev) {
    const name = el.getAttributeNames().find((n) => n === "cf-model" || n.startsWith("cf-model."));
    if (!name) return false;
    const lazy = name.includes(".lazy");
    if ((ev.type === "change") !== lazy) return true;
    const root = rootOf(el);
    const field = el.getAttribute(name);
    if (!root || !field) return true;
    limited(el, "model", () => {
      request(root, {
        event: "field_change", payload: { field, value: controlValue(el) }, source: el, sent: [el],
      });
    });
    return true;
  }

  // The path the event took, from its target out, elements only; it goes into open shadow
  // roots, where ev.target (retargeted to the host) does not.
  const elementsOf = (ev) => ev.composedPath().filter((node) => node.nodeType === 1);

  function onEvent(ev) {
    // An event inside a shadow root may reach its root's listener and the document's: once.
    const seen = data(ev);
    if (seen.handled) return;
    seen.handled = true;
    const path = elementsOf(ev);
    const el = path[0];
    const edit = (ev.type === "input" || ev.type === "change") && el && isControl(el);
    if (edit) {
      inputSeq++;
      group(el).forEach((control) => { data(control).changed = inputSeq; });
    }
    if (edit && model(el, ev)) return;
    for (const node of path) {
      const binding = bindingOf(node, ev.type, ev);
      if (binding) return fire(node, binding, ev.type, ev);
      if (node.hasAttribute("data-cf-component")) return;
    }
  }

  // Listen to *scope*'s events (the document, or a shadow root given to cf.scan), once.
  function listen(scope) {
    const d = data(scope);
    if (d.listening) return;
    d.listening = true;
    scopes.add(scope);
    ["click", "submit", "change", "input", "keydown"].forEach((type) => {
      scope.addEventListener(type, onEvent, type === "input");
    });
  }

  listen(document);

  // ---------- Start ----------

  function scan(node) {
    if (node instanceof ShadowRoot) listen(node);
    const roots = node.matches && node.matches(ROOT) ? [node] : [];
    roots.push(...(node.querySelectorAll ? node : document).querySelectorAll(ROOT));
    roots.forEach((root) => {
      const d = data(root);
      if (d.ready) return;
      d.ready = true;
      served(root);
      root.setAttribute("data-cf-ready", "");
      // Live roots subscribe to pushes; roots on the "ws" transport send their events on
      // the socket, so it must be opened for them too, live or not.
      if (!usesSocket(root)) return;
      if (socket.offline) markOffline(root, true);
      if (!socket.open) socket.connect(root);
      else if (root.hasAttribute("data-cf-live")) socket.subscribe(root);
    });
  }

  const byId = (id) => all(ROOT + '[data-cf-id="' + CSS.escape(id) + '"]')[0] || null;

  function resolveRoot(target) {
    if (typeof target === "string") {
      return byId(target) || all('[data-cf-component="' + CSS.escape(target) + '"]')[0] || null;
    }
    return rootOf(target);
  }

  window.cf = {
    version: "1",
    /** Send *event* with *payload* to a component (root element, child element, id or name). */
    send(target, event, payload) {
      const root = resolveRoot(target);
      if (!root) return Promise.reject(new Error("cf.send: no component " + target));
      return request(root, { event, payload: payload || {} });
    },
    /** The component_event message cf.js would send for *root* (state and checksum included). */
    message(target, event, payload) {
      const root = resolveRoot(target);
      if (!root) throw new Error("cf.message: no component " + target);
      return message(root, event, payload);
    },
    /** The extra request headers (data-cf-headers) and default endpoint (data-cf-base). */
    config,
    /** Make the components in *node* live (default: the document); a shadow root is listened to. */
    scan(node) { scan(node || document); },
  };

  const start = () => { scan(document); restore(); };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
