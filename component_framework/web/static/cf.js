/*! cf.js - the component_framework browser runtime. No build step, no dependencies.
 *
 * Roots: elements with data-cf-component (rendered by {{ component(...) }}) carry the
 * component's name, id, signed state, checksum, subscribe token and endpoint.
 * Bindings: cf-click, cf-submit, cf-change, cf-input, cf-keydown[.key...] = "event";
 * cf-payload='{"json": 1}', cf-debounce="ms", cf-throttle="ms", cf-model[.lazy]="field",
 * cf-text="state_key" (target of optimistic patches).
 * DOM events fired on a root: cf:update (detail: reply, once per SSE frame), cf:error.
 */
(function () {
  "use strict";
  if (window.cf) return;

  var ROOT = "[data-cf-component]";
  var LOADING = "data-cf-loading";
  var KEYS = {
    enter: "enter", esc: "escape", escape: "escape", space: " ", tab: "tab",
    up: "arrowup", down: "arrowdown", left: "arrowleft", right: "arrowright",
    backspace: "backspace", delete: "delete"
  };
  var SYSTEM = { shift: "shiftKey", ctrl: "ctrlKey", alt: "altKey", meta: "metaKey" };
  var inputSeq = 0;
  var queues = new WeakMap();
  var loading = new Set();

  // ---------- Helpers ----------

  function rootOf(el) { return el && el.closest ? el.closest(ROOT) : null; }
  function endpoint(root) { return root.getAttribute("data-cf-endpoint") || "/cf"; }

  function own(root, selector) {
    return Array.prototype.filter.call(root.querySelectorAll(selector), function (el) {
      return rootOf(el.parentElement) === root;
    });
  }

  function isControl(el) {
    return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
  }

  function controlValue(el) {
    if (el.type === "checkbox") return el.checked;
    if (el.tagName === "SELECT" && el.multiple) {
      return Array.prototype.filter.call(el.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
    }
    return el.value;
  }

  function formData(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button") return;
      if (el.type === "radio") { if (el.checked) data[el.name] = el.value; return; }
      if (el.type === "file") return;
      data[el.name] = controlValue(el);
    });
    return data;
  }

  function errorReply(message, code) { return { type: "error", error: message, code: code }; }

  // ---------- Loading state ----------

  function busy(el, on) {
    if (!el) return;
    var n = (el._cfBusy || 0) + (on ? 1 : -1);
    el._cfBusy = n > 0 ? n : 0;
    if (el._cfBusy) {
      loading.add(el);
      mark(el);
    } else {
      loading.delete(el);
      el.removeAttribute(LOADING);
      el.classList.remove("cf-loading");
      if (el.matches(ROOT)) el.removeAttribute("aria-busy");
    }
  }

  function mark(el) {
    el.setAttribute(LOADING, "");
    el.classList.add("cf-loading");
    if (el.matches(ROOT)) el.setAttribute("aria-busy", "true");
  }

  // ---------- Errors ----------

  function showError(root, reply) {
    var box = own(root, "[data-cf-error]")[0];
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
    own(root, '[data-cf-error="client"]').forEach(function (el) { el.remove(); });
    root.removeAttribute("data-cf-error-code");
  }

  // ---------- Morphing ----------

  function keyOf(node) {
    return node.nodeType === 1 ? node.getAttribute("id") || node.getAttribute("cf-key") : null;
  }

  function compatible(a, b) {
    if (!a || a.nodeType !== b.nodeType) return false;
    if (a.nodeType !== 1) return true;
    return a.tagName === b.tagName && keyOf(a) === keyOf(b) &&
      a.getAttribute("data-cf-component") === b.getAttribute("data-cf-component");
  }

  // What makes a node worth keeping: ids, cf-keys, named form controls and nested components
  // inside it. A node that holds something a later new node needs is never reused for another.
  var IDENTITY = "[id],[cf-key],[data-cf-component],input[name],select[name],textarea[name]";

  function identity(el) {
    if (el.hasAttribute("data-cf-component")) return "cf:" + el.getAttribute("data-cf-component");
    var key = keyOf(el);
    if (key) return "#" + key;
    return isControl(el) && el.name ? "name:" + el.name : null;
  }

  function idsOf(node, ctx) {
    if (node.nodeType !== 1) return [];
    var ids = ctx.ids.get(node);
    if (ids) return ids;
    ids = [];
    var own = identity(node);
    if (own) ids.push(own);
    if (!node.hasAttribute("data-cf-component")) {
      node.querySelectorAll(IDENTITY).forEach(function (el) {
        var id = identity(el);
        if (id) ids.push(id);
      });
    }
    ctx.ids.set(node, ids);
    return ids;
  }

  function shares(a, b) {
    for (var i = 0; i < a.length; i++) if (b.indexOf(a[i]) >= 0) return true;
    return false;
  }

  function findMatch(oldNode, newNode, later, ctx) {
    if (!oldNode) return null;
    var n, key = keyOf(newNode);
    if (key) {
      for (n = oldNode; n; n = n.nextSibling) if (compatible(n, newNode)) return n;
      return null;
    }
    var ids = idsOf(newNode, ctx);
    if (ids.length) {
      for (n = oldNode; n; n = n.nextSibling) {
        if (n.nodeType === 1 && n.tagName === newNode.tagName && shares(idsOf(n, ctx), ids)) return n;
      }
    }
    var oldIds = idsOf(oldNode, ctx);
    if (oldIds.length && !shares(oldIds, ids) && shares(oldIds, later)) return null;
    return compatible(oldNode, newNode) ? oldNode : null;
  }

  function morphChildren(oldParent, newParent, ctx) {
    var kids = Array.prototype.slice.call(newParent.childNodes);
    var later = [[]]; // later[k]: identities of the new nodes from kids.length - k onwards
    for (var i = kids.length - 1; i >= 0; i--) later.push(later[later.length - 1].concat(idsOf(kids[i], ctx)));
    later.reverse();
    var oldNode = oldParent.firstChild;
    for (i = 0; i < kids.length; i++) {
      var newNode = kids[i];
      var match = findMatch(oldNode, newNode, later[i + 1], ctx);
      if (match && match !== oldNode) {
        // The old nodes before the match that no new node needs were deleted from the HTML:
        // remove them rather than move the match (moving would blur a focused input).
        for (var n = oldNode; n && n !== match;) {
          var after = n.nextSibling;
          if (!shares(idsOf(n, ctx), later[i])) {
            if (n === oldNode) oldNode = after;
            oldParent.removeChild(n);
          }
          n = after;
        }
        if (match !== oldNode) oldParent.insertBefore(match, oldNode);
        else oldNode = oldNode.nextSibling;
      } else if (match) {
        oldNode = oldNode.nextSibling;
      }
      if (match) {
        morphNode(match, newNode, ctx);
      } else {
        oldParent.insertBefore(newNode, oldNode);
        ctx.added.push(newNode);
      }
    }
    while (oldNode) {
      var next = oldNode.nextSibling;
      oldParent.removeChild(oldNode);
      oldNode = next;
    }
  }

  function syncAttributes(el, next) {
    var i, name;
    for (i = el.attributes.length - 1; i >= 0; i--) {
      name = el.attributes[i].name;
      if (!next.hasAttribute(name)) el.removeAttribute(name);
    }
    for (i = 0; i < next.attributes.length; i++) {
      name = next.attributes[i].name;
      if (el.getAttribute(name) !== next.attributes[i].value) {
        el.setAttribute(name, next.attributes[i].value);
      }
    }
  }

  function setValue(el, value) {
    if (el.value === value) return;
    if (document.activeElement === el && typeof el.selectionStart === "number") {
      var start = el.selectionStart, end = el.selectionEnd;
      el.value = value;
      try { el.setSelectionRange(Math.min(start, value.length), Math.min(end, value.length)); }
      catch (e) { /* input types without a caret */ }
    } else {
      el.value = value;
    }
  }

  // The rule for form controls: the value the user sees is theirs unless the server renders a
  // different value than it rendered last time; even then, a control being typed in (focused,
  // edited after the request left) keeps its value, caret and selection.
  function morphControl(el, next, ctx) {
    var editing = document.activeElement === el && (el._cfSeq || 0) > ctx.seq;
    if (el.type === "checkbox" || el.type === "radio") {
      var was = el.hasAttribute("checked"), now = next.hasAttribute("checked");
      syncAttributes(el, next);
      if (was !== now && !editing) el.checked = now;
      return;
    }
    if (el.tagName === "TEXTAREA") {
      var before = el.defaultValue, after = next.textContent;
      syncAttributes(el, next);
      if (before !== after) {
        var typed = el.value;
        el.defaultValue = after;
        if (editing) el.value = typed;
        else setValue(el, after);
      }
      return;
    }
    if (el.tagName === "SELECT") {
      syncAttributes(el, next);
      morphChildren(el, next, ctx);
      if (!editing) {
        var chosen = next.querySelector("option[selected]");
        if (chosen && !el.multiple) el.value = chosen.getAttribute("value") || chosen.textContent;
      }
      return;
    }
    var oldValue = el.getAttribute("value"), newValue = next.getAttribute("value");
    var current = el.value;
    syncAttributes(el, next);
    // The control that fired the event gets the server's value (an "add" clears its input).
    var serverWins = oldValue !== newValue || el === ctx.source;
    setValue(el, serverWins && !editing ? newValue || "" : current);
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

  function morph(root, html, seq, source) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var ctx = { seq: seq, added: [], source: source, ids: new WeakMap() };
    clearErrors(root);
    morphChildren(root, template.content, ctx);
    loading.forEach(function (el) { if (el.isConnected) mark(el); });
    ctx.added.forEach(function (node) { if (node.nodeType === 1) scan(node); });
  }

  // ---------- Replies ----------

  function apply(root, reply, seq, source) {
    if (!reply || reply.type === "error") {
      showError(root, reply || errorReply("No reply from the server.", "no_reply"));
      return false;
    }
    if (reply.type !== "component_update") return true;
    if (typeof reply.state === "string") root.setAttribute("data-cf-state", reply.state);
    if (reply.checksum) root.setAttribute("data-cf-checksum", reply.checksum);
    if (reply.subscribe_token) root.setAttribute("data-cf-token", reply.subscribe_token);
    if (reply.optimistic) root.setAttribute("data-cf-optimistic", JSON.stringify(reply.optimistic));
    if (typeof reply.html === "string") morph(root, reply.html, seq, source);
    root.dispatchEvent(new CustomEvent("cf:update", { bubbles: true, detail: reply }));
    return true;
  }

  // ---------- Optimistic UI ----------

  function optimistic(root, event, rawPayload) {
    var patches;
    try { patches = JSON.parse(root.getAttribute("data-cf-optimistic") || "null"); }
    catch (e) { return null; }
    var patch = patches && patches[event + "|" + (rawPayload || "")];
    if (!patch) return null;
    var undo = [];
    Object.keys(patch).forEach(function (key) {
      own(root, "[cf-text]").forEach(function (el) {
        if (el.getAttribute("cf-text") !== key) return;
        undo.push([el, el.textContent]);
        var value = patch[key];
        el.textContent = value === null || value === undefined ? "" :
          typeof value === "object" ? JSON.stringify(value) : String(value);
      });
    });
    return function () { undo.forEach(function (u) { u[0].textContent = u[1]; }); };
  }

  // ---------- Transports ----------

  function message(root, event, payload) {
    return {
      type: "component_event",
      component: root.getAttribute("data-cf-component"),
      component_id: root.getAttribute("data-cf-id"),
      event: event || null,
      payload: payload || {},
      state: root.getAttribute("data-cf-state"),
      checksum: root.getAttribute("data-cf-checksum")
    };
  }

  function post(root, path, msg) {
    return fetch(endpoint(root) + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CF-Request": "1" },
      body: JSON.stringify(msg)
    });
  }

  var NETWORK = "Network error: the server could not be reached. Try again.";

  function httpEvent(root, msg) {
    return post(root, "/event", msg).then(function (response) {
      return response.json().catch(function () {
        return errorReply("The server sent an unreadable reply (HTTP " + response.status + ").",
          "bad_reply");
      });
    }, function () { return errorReply(NETWORK, "network_error"); });
  }

  function parseFrames(text, onFrame) {
    var blocks = text.split("\n\n");
    var rest = blocks.pop();
    blocks.forEach(function (block) {
      var data = block.split("\n").filter(function (line) { return line.indexOf("data:") === 0; })
        .map(function (line) { return line.slice(5).replace(/^ /, ""); }).join("\n");
      if (data) onFrame(JSON.parse(data));
    });
    return rest;
  }

  function streamEvent(root, msg, onFrame) {
    var last = null;
    function frame(f) { last = f; onFrame(f); }
    return post(root, "/stream", msg).then(function (response) {
      if ((response.headers.get("Content-Type") || "").indexOf("text/event-stream") < 0) {
        // A refusal before the stream started (415, 400, 413) is one JSON reply.
        return response.json().catch(function () {
          return errorReply("The server sent an unreadable reply (HTTP " + response.status + ").",
            "bad_reply");
        }).then(function (reply) { frame(reply); return reply; });
      }
      if (!response.body || !response.body.getReader) {
        return response.text().then(function (text) { parseFrames(text + "\n\n", frame); return last; });
      }
      var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            parseFrames(buffer + decoder.decode() + "\n\n", frame);
            return last;
          }
          buffer = parseFrames(buffer + decoder.decode(chunk.value, { stream: true }), frame);
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      var error = errorReply(NETWORK, "network_error");
      onFrame(error);
      return error;
    });
  }

  // ---------- WebSocket: events, subscriptions, pushes ----------

  var ws = null, wsOpen = false, wsUrl = null, wsRef = 0, wsPending = {}, wsOutbox = [];
  var backoff = 250, everConnected = false, firstAttempt = true, reconnectTimer = null;

  function wsConnect(root) {
    if (!wsUrl) {
      var scheme = location.protocol === "https:" ? "wss:" : "ws:";
      wsUrl = scheme + "//" + location.host + endpoint(root) + "/ws";
    }
    if (ws || reconnectTimer) return;
    ws = new WebSocket(wsUrl);
    ws.onopen = function () {
      wsOpen = true;
      backoff = 250;
      var resync = everConnected;
      everConnected = true;
      document.querySelectorAll(ROOT + "[data-cf-live]").forEach(function (r) {
        subscribe(r);
        // After a reconnect the page may have missed pushes: render the state again.
        if (resync) request(r, null, {}, null, null);
      });
      var outbox = wsOutbox; wsOutbox = [];
      outbox.forEach(function (m) { ws.send(JSON.stringify(m)); });
    };
    ws.onmessage = function (e) {
      var reply;
      try { reply = JSON.parse(e.data); } catch (err) { return; }
      var ref = reply.ref;
      if (ref === undefined && reply.type === "error") {
        // A message the server could not read (too large) is answered without its ref. The
        // server answers a socket's messages in order, so it is the oldest one still waiting.
        ref = Object.keys(wsPending).sort(function (a, b) { return a - b; })[0];
      }
      var pending = ref !== undefined && wsPending[ref];
      if (pending) { delete wsPending[ref]; pending(reply); return; }
      if (reply.type === "component_update" && reply.component_id) {
        var target = document.querySelector(ROOT + '[data-cf-id="' + CSS.escape(reply.component_id) + '"]');
        if (target) apply(target, reply, -1);
      }
    };
    ws.onclose = function () {
      ws = null;
      wsOpen = false;
      firstAttempt = false;
      var pending = wsPending; wsPending = {}; wsOutbox = [];
      Object.keys(pending).forEach(function (ref) {
        pending[ref](errorReply("Connection lost; reconnecting.", "network_error"));
      });
      var delay = backoff + Math.random() * backoff / 2;
      backoff = Math.min(backoff * 2, 10000);
      reconnectTimer = setTimeout(function () { reconnectTimer = null; wsConnect(root); }, delay);
    };
  }

  function wsSend(root, msg) {
    return new Promise(function (resolve) {
      msg.ref = String(++wsRef);
      wsPending[msg.ref] = resolve;
      if (wsOpen) ws.send(JSON.stringify(msg)); else wsOutbox.push(msg);
      wsConnect(root);
    });
  }

  function subscribe(root) {
    var msg = {
      type: "subscribe",
      component_id: root.getAttribute("data-cf-id"),
      token: root.getAttribute("data-cf-token")
    };
    wsSend(root, msg).then(function (reply) {
      if (reply.type === "error") showError(root, reply);
      else root.setAttribute("data-cf-subscribed", "");
    });
  }

  // ---------- Requests ----------

  function enqueue(root, task) {
    var run = (queues.get(root) || Promise.resolve()).then(task, task);
    queues.set(root, run.catch(function () {}));
    return run;
  }

  // Send one event for *root*, after every earlier one of the same component.
  function request(root, event, payload, el, rawPayload) {
    var undo = event ? optimistic(root, event, rawPayload) : null;
    busy(root, true);
    busy(el, true);
    // Typing after this moment is newer than the payload: the reply must not overwrite it.
    var seq = inputSeq;
    return enqueue(root, function () {
      var msg = message(root, event, payload);
      var done;
      if (root.hasAttribute("data-cf-stream")) {
        done = streamEvent(root, msg, function (frame) { apply(root, frame, seq, el); });
      } else {
        // Over the socket when it is open or opening for the first time (the message waits in
        // the outbox); HTTP otherwise: events never wait for a reconnect.
        var socket = wsOpen || (ws !== null && firstAttempt);
        var send = root.getAttribute("data-cf-transport") === "ws" && socket ? wsSend : httpEvent;
        done = send(root, msg).then(function (reply) { apply(root, reply, seq, el); return reply; });
      }
      return done.then(function (reply) {
        if (undo && (!reply || reply.type === "error")) undo();
        return reply;
      });
    }).then(function (reply) {
      busy(root, false);
      busy(el, false);
      return reply;
    });
  }

  // ---------- Bindings ----------

  function keyMatches(ev, mods) {
    var wanted = null;
    for (var i = 0; i < mods.length; i++) {
      var mod = mods[i];
      if (SYSTEM[mod]) { if (!ev[SYSTEM[mod]]) return false; continue; }
      if (mod === "prevent" || mod === "stop") continue;
      wanted = KEYS[mod] || mod;
    }
    return wanted === null || (ev.key || "").toLowerCase() === wanted;
  }

  function bindingOf(el, type, ev) {
    var names = el.getAttributeNames();
    for (var i = 0; i < names.length; i++) {
      var name = names[i];
      if (name !== "cf-" + type && name.indexOf("cf-" + type + ".") !== 0) continue;
      var mods = name.split(".").slice(1);
      if (type === "keydown" && !keyMatches(ev, mods)) continue;
      return { event: el.getAttribute(name), mods: mods };
    }
    return null;
  }

  var pendingModels = new Map();

  // Send the debounced cf-model updates of *root* now, so an action sees the latest values.
  function flushModels(root) {
    pendingModels.forEach(function (send, el) {
      if (rootOf(el) !== root) return;
      clearTimeout(el._cfTimers.model);
      pendingModels.delete(el);
      send();
    });
  }

  function limited(el, key, fire) {
    var timers = el._cfTimers || (el._cfTimers = {});
    var debounce = parseInt(el.getAttribute("cf-debounce") || (key === "model" ? "150" : ""), 10);
    var throttle = parseInt(el.getAttribute("cf-throttle") || "", 10);
    if (throttle > 0) {
      var now = Date.now();
      if (timers[key + ":t"] && now - timers[key + ":t"] < throttle) return;
      timers[key + ":t"] = now;
    }
    if (debounce > 0) {
      clearTimeout(timers[key]);
      if (key === "model") {
        pendingModels.set(el, fire);
        timers[key] = setTimeout(function () { pendingModels.delete(el); fire(); }, debounce);
      } else {
        timers[key] = setTimeout(fire, debounce);
      }
    } else {
      fire();
    }
  }

  function fire(el, binding, type, ev) {
    var root = rootOf(el);
    if (!root || !binding.event) return;
    if (type !== "input" && type !== "change") ev.preventDefault();
    if (binding.mods.indexOf("stop") >= 0) ev.stopPropagation();
    var raw = el.getAttribute("cf-payload");
    var payload = {};
    if (raw) {
      try { payload = JSON.parse(raw); }
      catch (e) { showError(root, errorReply("cf-payload is not valid JSON: " + raw, "bad_payload")); return; }
    }
    flushModels(root);
    if (type === "submit" && el.tagName === "FORM") payload = { form_data: formData(el) };
    else if (type !== "click" && isControl(el) && !("value" in payload)) {
      payload.value = controlValue(el);
    }
    limited(el, type, function () {
      request(root, binding.event, payload, el, raw).then(function (reply) {
        // <form cf-submit="..." cf-reset>: clear the inputs once the server accepted them.
        if (type === "submit" && el.hasAttribute("cf-reset") && reply && reply.type !== "error") {
          el.reset();
        }
      });
    });
  }

  function model(el, ev) {
    var name = el.getAttributeNames().filter(function (n) {
      return n === "cf-model" || n.indexOf("cf-model.") === 0;
    })[0];
    if (!name) return false;
    var lazy = name.indexOf(".lazy") > 0;
    if ((ev.type === "change") !== lazy) return true;
    var root = rootOf(el);
    var field = el.getAttribute(name);
    if (!root || !field) return true;
    limited(el, "model", function () {
      request(root, "field_change", { field: field, value: controlValue(el) }, el, null);
    });
    return true;
  }

  function onEvent(ev) {
    var el = ev.target && ev.target.nodeType === 1 ? ev.target : ev.target && ev.target.parentElement;
    if (ev.type === "input" && el) el._cfSeq = ++inputSeq;
    if ((ev.type === "input" || ev.type === "change") && el && isControl(el) && model(el, ev)) return;
    for (; el && el.nodeType === 1; el = el.parentElement) {
      var binding = bindingOf(el, ev.type, ev);
      if (binding) return fire(el, binding, ev.type, ev);
      if (el.hasAttribute("data-cf-component")) return;
    }
  }

  ["click", "submit", "change", "input", "keydown"].forEach(function (type) {
    document.addEventListener(type, onEvent, type === "input");
  });

  // ---------- Start ----------

  function scan(node) {
    var roots = node.matches && node.matches(ROOT) ? [node] : [];
    roots = roots.concat(Array.prototype.slice.call((node.querySelectorAll ? node : document).querySelectorAll(ROOT)));
    roots.forEach(function (root) {
      if (root._cfReady) return;
      root._cfReady = true;
      root.setAttribute("data-cf-ready", "");
      // Live roots subscribe to pushes; roots on the "ws" transport send their events on
      // the socket, so it must be opened for them too, live or not.
      var live = root.hasAttribute("data-cf-live");
      if ((live || root.getAttribute("data-cf-transport") === "ws") && "WebSocket" in window) {
        if (!wsOpen) wsConnect(root); else if (live) subscribe(root);
      }
    });
  }

  function resolveRoot(target) {
    if (typeof target === "string") {
      return document.querySelector(ROOT + '[data-cf-id="' + CSS.escape(target) + '"]') ||
        document.querySelector('[data-cf-component="' + CSS.escape(target) + '"]');
    }
    return rootOf(target);
  }

  window.cf = {
    version: "1",
    /** Send *event* with *payload* to a component (root element, child element, id or name). */
    send: function (target, event, payload) {
      var root = resolveRoot(target);
      if (!root) return Promise.reject(new Error("cf.send: no component " + target));
      return request(root, event, payload || {}, null, null);
    },
    scan: function (node) { scan(node || document); }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
})();
