/*! cf.js - the component_framework browser runtime. No build step, no dependencies.
 *
 * Roots: elements with data-cf-component (rendered by {{ component(...) }}) carry the
 * component's name, id, signed state, checksum, subscribe token, endpoint and signed mount
 * parameters (data-cf-mount: to mount it again when the server cannot use its state), and the
 * effects its first render asked for (data-cf-effects: run once it is started).
 * Bindings: cf-click, cf-submit, cf-change, cf-input, cf-blur, cf-focus, cf-keydown[.key...],
 * cf-window-keydown[.key...], cf-click-away, cf-visible = "event"; cf-payload='{"json": 1}',
 * cf-debounce="ms", cf-throttle="ms", cf-confirm="question", cf-disable-with="text",
 * cf-model[.lazy|.blur|.debounce.ms]="field".
 * Feedback: cf-loading[="hide"], cf-loading-class, cf-loading-attr, cf-loading-for,
 * cf-loading-delay; cf-dirty, cf-dirty-warn; optimistic cf-text, cf-show, cf-class.
 * Morph: cf-key, cf-ignore[="children"]. Effects: a reply's effects (cf.effects, by type) run
 * after its HTML; redirect and flash are the core's; the flash region ([data-cf-flash]) shows
 * flash messages.
 * Optional scripts, each loaded after cf.js by the pages that use it (cf_scripts("name")), add
 * the rest through cf.extend (see "Extensions"): cf-navigate.js (cf-navigate links and GET
 * forms, cf-persist, cf-prefetch, cf.navigate, the navigate and patch_url effects, roots with
 * data-cf-url and the history entries that restore them), cf-hooks.js (cf-hook="Name" with
 * cf.hooks.Name = {mounted, updated, destroyed, disconnected, reconnected}), cf-transitions.js
 * (cf-transition, cf-view-transition), cf-streams.js (the stream effect; the core's morph keeps
 * a cf-stream element's children), cf-lazy.js (roots with data-cf-lazy), cf-poll.js (roots with
 * data-cf-poll). A page that uses one without loading it gets it from beside cf.js on first use
 * (cf_scripts("name") saves that round trip); one console error names it if it cannot load.
 * The <script> tag that loads cf.js may carry data-cf-headers='{"X-CSRFToken": "..."}' (sent
 * with every HTTP event and stream request) and data-cf-base="/cf" (the endpoint of roots
 * without data-cf-endpoint).
 * DOM events fired on a root: cf:before-request (before each request, cancelable; detail:
 * transport, url, message, headers), cf:update (detail: reply, once per SSE frame), cf:error,
 * cf:offline and cf:online (live roots, when the WebSocket drops and comes back), cf:recovered
 * (detail: how, "remount" or "reload", and reason, the refusal's code: the server could not use
 * the component's state and cf.js recovered it, keeping what the user typed), and the server's
 * browser events; cf:restore when back or forward restored it from the history entry.
 * cf:confirm (cancelable) on an element with cf-confirm. On the document: cf:navigate
 * (cancelable) before a live navigation, cf:navigated after.
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

  // Space- or comma-separated words of an attribute (none: []).
  const words = (text) => (text || "").split(/[\s,]+/).filter(Boolean);
  // Truth as the server's templates see it (Python): empty lists and objects are false.
  const truthy = (v) => Boolean(v) &&
    (typeof v !== "object" || (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0));

  // ---------- Holds: changes cf.js keeps on an element across morphs ----------
  // A hold applies a change (the loading mark, a disabled button, a dirty class) and keeps
  // how to undo it. A morph makes the element follow the server's render, then applies each
  // hold again over it. Holds are counted: the change stays until every hold of its key goes.

  function hold(el, key, change) {
    const d = data(el);
    const holds = d.holds || (d.holds = new Map());
    const held = holds.get(key);
    if (held) held.count++;
    else holds.set(key, { count: 1, change, undo: change(el) });
  }

  function release(el, key) {
    const d = internal.get(el);
    const held = d && d.holds && d.holds.get(key);
    if (!held || --held.count > 0) return;
    d.holds.delete(key);
    if (held.undo) held.undo();
  }

  const holding = (el, key) => Boolean(internal.get(el)?.holds?.has(key));

  // After a morph of *el*: its holds apply again over the server's render.
  function reapply(el) {
    const d = internal.get(el);
    if (d && d.holds) d.holds.forEach((held) => { held.undo = held.change(el); });
  }

  // ---------- Loading state ----------

  function markLoading(el) {
    el.setAttribute(LOADING, "");
    el.classList.add("cf-loading");
    return () => {
      el.removeAttribute(LOADING);
      el.classList.remove("cf-loading");
    };
  }

  // A root's requests: each queued (waiting for the one before) then in flight (sent).
  // The root shows them: data-cf-loading while any is pending, data-cf-in-flight="<event>"
  // while one is sent, data-cf-queued="<n>" while n wait their turn.
  function showPending(root) {
    const pending = data(root).pending || [];
    const queued = pending.filter((p) => !p.sent).length;
    const flying = pending.find((p) => p.sent);
    const busy = pending.length > 0;
    root.toggleAttribute(LOADING, busy);
    root.classList.toggle("cf-loading", busy);
    if (busy) root.setAttribute("aria-busy", "true");
    else root.removeAttribute("aria-busy");
    setAttr(root, "data-cf-queued", queued ? String(queued) : null);
    setAttr(root, "data-cf-in-flight", flying ? flying.event || "" : null);
    showLoading(root);
  }

  function setAttr(el, name, value) {
    if (value === null) el.removeAttribute(name);
    else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  const LOADERS = "[cf-loading],[cf-loading-class],[cf-loading-attr]";

  // The root's elements with cf-loading*: on while a request they watch is pending (any, or
  // the events of cf-loading-for), after cf-loading-delay ms (bare: 200) if given.
  function showLoading(root) {
    const loaders = own(root, LOADERS);
    if (!loaders.length) return;
    const pending = data(root).pending || [];
    loaders.forEach((el) => {
      const only = words(el.getAttribute("cf-loading-for"));
      loading(el, pending.some((p) => !only.length || only.includes(p.event)));
    });
  }

  function loading(el, on) {
    const d = data(el);
    if (!on) {
      clearTimeout(d.loadingTimer);
      d.loadingTimer = null;
      if (d.loading) release(el, "loading");
      d.loading = false;
      // cf-loading (show): hidden while nothing is loading, whatever the server rendered.
      const shows = el.hasAttribute("cf-loading") && el.getAttribute("cf-loading") !== "hide";
      if (shows && !el.hidden) el.hidden = true;
      return;
    }
    if (d.loading || d.loadingTimer) return;
    const start = () => {
      d.loadingTimer = null;
      d.loading = true;
      hold(el, "loading", changeLoading);
    };
    const delay = el.hasAttribute("cf-loading-delay") ?
      parseInt(el.getAttribute("cf-loading-delay"), 10) : 0;
    if (delay !== 0) d.loadingTimer = setTimeout(start, isNaN(delay) ? 200 : delay);
    else start();
  }

  function changeLoading(el) {
    const undo = [];
    const mode = el.getAttribute("cf-loading");
    if (mode !== null) {
      const was = el.hidden;
      el.hidden = mode === "hide";
      undo.push(() => { el.hidden = was; });
    }
    undo.push(addClasses(el, el.getAttribute("cf-loading-class")));
    words(el.getAttribute("cf-loading-attr")).forEach((pair) => {
      const at = pair.indexOf("=");
      const name = at < 0 ? pair : pair.slice(0, at);
      if (el.hasAttribute(name)) return;
      try { el.setAttribute(name, at < 0 ? "" : pair.slice(at + 1)); }
      catch (e) {
        console.error(`cf.js: cf-loading-attr names ${JSON.stringify(name)}, not an attribute.`);
        return;
      }
      undo.push(() => el.removeAttribute(name));
    });
    return () => undo.forEach((f) => f());
  }

  // Add the classes of *text* the element lacks; returns how to take them off again.
  function addClasses(el, text) {
    const added = words(text).filter((c) => !el.classList.contains(c));
    if (!added.length) return () => {};
    el.classList.add(...added);
    return () => el.classList.remove(...added);
  }

  // cf-disable-with="Saving...": disabled, showing the text, while its event is pending.
  function disable(el) {
    const text = el.getAttribute("cf-disable-with");
    const native = "disabled" in el && el.tagName !== "FORM";
    const was = native ? el.disabled : el.getAttribute("aria-disabled");
    if (native) el.disabled = true;
    else if (el.tagName !== "FORM") el.setAttribute("aria-disabled", "true");
    let restore = null;
    if (text && el.tagName === "INPUT") {
      const value = el.value;
      el.value = text;
      restore = () => { el.value = value; };
    } else if (text && el.tagName !== "FORM") {
      const kids = Array.from(el.childNodes);
      el.textContent = text;
      restore = () => el.replaceChildren(...kids);
    }
    return () => {
      if (native) el.disabled = was;
      else if (el.tagName !== "FORM") setAttr(el, "aria-disabled", was);
      if (restore) restore();
    };
  }

  // What a form submit holds disabled: the form (no second submit) and its submit buttons.
  const submitButtons = (form) =>
    Array.from(form.elements).filter((el) => el.type === "submit" || el.type === "image");

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

  // Across pages (live navigation: ctx.page) a component is the same only under the same id.
  const rootKey = (el, ctx) =>
    ctx.page ? el.getAttribute("data-cf-id") : el.getAttribute("data-cf-component");

  function compatible(a, b, ctx) {
    if (!a || a.nodeType !== b.nodeType) return false;
    if (a.nodeType !== 1) return true;
    return a.tagName === b.tagName && keyOf(a) === keyOf(b) && rootKey(a, ctx) === rootKey(b, ctx);
  }

  // What makes a node worth keeping: ids, cf-keys, named form controls and nested components
  // inside it. A node that holds something a later new node needs is never reused for another.
  const IDENTITY = "[id],[cf-key],[data-cf-component],input[name],select[name],textarea[name]";

  function identity(el, ctx) {
    if (el.hasAttribute("data-cf-component")) return "cf:" + rootKey(el, ctx);
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
    const mine = identity(node, ctx);
    if (mine) ids.add(mine);
    if (!node.hasAttribute("data-cf-component")) {
      node.querySelectorAll(IDENTITY).forEach((el) => {
        const id = identity(el, ctx);
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
      if (leaving(n)) continue;
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
      if (compatible(oldNode, newNode, ctx)) return oldNode;
      return olds().first([identity(newNode, ctx)], newNode.tagName,
        (n) => compatible(n, newNode, ctx));
    }
    const ids = idsOf(newNode, ctx);
    const oldIds = idsOf(oldNode, ctx);
    if (ids.size) {
      if (oldNode.tagName === newNode.tagName && shares(oldIds, ids)) return oldNode;
      const holder = olds().first(ids, newNode.tagName);
      if (holder) return holder;
    }
    if (oldIds.size && !shares(oldIds, ids) && shares(oldIds, later())) return null;
    return compatible(oldNode, newNode, ctx) ? oldNode : null;
  }

  // identity -> how many of *nodes* hold it.
  function countIds(nodes, ctx) {
    const counts = new Map();
    nodes.forEach((node) => idsOf(node, ctx).forEach((id) => counts.set(id, (counts.get(id) || 0) + 1)));
    return counts;
  }

  // A node on its way out (its leave transition runs): no longer part of the page's HTML.
  const leaving = (node) => node.nodeType === 1 && internal.get(node)?.leaving === true;
  const present = (node) => { while (node && leaving(node)) node = node.nextSibling; return node; };

  function morphChildren(oldParent, newParent, ctx) {
    const kids = Array.from(newParent.childNodes);
    let oldNode = present(oldParent.firstChild);
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
        const next = present(oldNode.nextSibling);
        if (index) index.used.add(oldNode);
        remove(oldNode);
        oldNode = next;
      }
      if (match === oldNode) oldNode = present(oldNode.nextSibling);
      else oldParent.insertBefore(match, oldNode);
      morphNode(match, newNode, ctx);
    }
    while (oldNode) {
      const next = present(oldNode.nextSibling);
      remove(oldNode);
      oldNode = next;
    }
  }

  // Take *node* out of the page: at once, or after its leave transition (cf-transition).
  function remove(node) {
    if (node.nodeType === 1 && node.hasAttribute("cf-transition")) {
      if (each("leave", node)) return; // cf-transitions.js removes it after its transition
    }
    node.remove();
  }

  function syncAttributes(el, next) {
    const current = el.attributes, wanted = next.attributes;
    for (let i = current.length - 1; i >= 0; i--) {
      const name = current[i].name;
      if (!next.hasAttribute(name)) el.removeAttribute(name);
    }
    for (let i = 0; i < wanted.length; i++) {
      const { name, value } = wanted[i];
      if (el.getAttribute(name) !== value) el.setAttribute(name, value);
    }
  }

  function setValue(el, value) {
    data(el).known = value;
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

  // Whether the text in field *el* stays over a render of its value *after*: text sent only
  // as it was typed (cf-input, cf-model on input) is still the user's while the server renders
  // the value its previous render had (*before*). A new value (a normalised one, a reset), or
  // text handed over by another binding (a change, a key, a submit), follows the server.
  const typedOn = (el, before, after, ctx) => !ctx.page && data(el).typing && before === after;
  const TEXT_TYPES = /^(text|search|email|url|tel|password|number|textarea)$/;

  // The option a single select shows when none was picked: the last rendered selected, else
  // the first enabled one.
  function defaultIndex(el) {
    const options = Array.from(el.options);
    let index = -1;
    options.forEach((o, i) => { if (o.defaultSelected) index = i; });
    return index < 0 ? options.findIndex((o) => !o.disabled) : index;
  }

  function selectDefaults(el) {
    if (el.multiple) Array.from(el.options).forEach((o) => { o.selected = o.defaultSelected; });
    else el.selectedIndex = defaultIndex(el);
  }

  function resetControl(el) {
    if (el.type === "checkbox" || el.type === "radio") el.checked = el.defaultChecked;
    else if (el.tagName === "SELECT") selectDefaults(el);
    else setValue(el, el.defaultValue);
  }

  function morphControl(el, next, ctx) {
    if (el.type === "file") return syncAttributes(el, next); // its files are the user's
    const keep = !ctx.page && unseen(el, ctx.seq); // another page: the server's values
    if (el.type === "checkbox" || el.type === "radio") {
      const checked = el.checked;
      syncAttributes(el, next);
      el.checked = keep ? checked : next.hasAttribute("checked");
    } else if (el.tagName === "TEXTAREA") {
      const typed = el.value, before = el.defaultValue;
      syncAttributes(el, next);
      if (before !== next.textContent) el.defaultValue = next.textContent;
      setValue(el, keep || typedOn(el, before, next.textContent, ctx) ? typed : next.textContent);
    } else if (el.tagName === "SELECT") {
      const chosen = Array.from(el.selectedOptions).map((o) => o.value);
      syncAttributes(el, next);
      morphChildren(el, next, ctx);
      if (keep) Array.from(el.options).forEach((o) => { o.selected = chosen.includes(o.value); });
      else selectDefaults(el);
    } else {
      const typed = el.value, before = el.getAttribute("value") || "";
      const after = next.getAttribute("value") || "";
      syncAttributes(el, next);
      setValue(el, keep || (TEXT_TYPES.test(el.type) && typedOn(el, before, after, ctx)) ? typed : after);
    }
  }

  function morphNode(el, next, ctx) {
    if (el.nodeType !== 1) {
      if (el.nodeValue !== next.nodeValue) el.nodeValue = next.nodeValue;
      return;
    }
    // A nested component keeps its own state: the parent's render does not reach into it;
    // across pages, nor does the next page reach into an element marked cf-persist.
    if (el.hasAttribute("data-cf-component")) return;
    if (ctx.page && el.hasAttribute("cf-persist")) return;
    // cf-ignore: left to the page (a hook, a widget); "children": the attributes follow.
    const ignore = next.getAttribute("cf-ignore");
    if (ignore !== null && el.hasAttribute("cf-ignore")) {
      if (ignore === "children") syncAttributes(el, next);
      return;
    }
    // A stream's items (cf-streams.js) change by its effects; a first render (ctx.full) has them.
    if (!ctx.full && el.hasAttribute("cf-stream")) syncAttributes(el, next);
    else if (isControl(el)) morphControl(el, next, ctx);
    else {
      syncAttributes(el, next);
      morphChildren(el, next, ctx);
    }
    reapply(el);
  }

  function morph(root, html, seq, full = false) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const ctx = { seq, added: [], ids: new WeakMap(), full };
    clearErrors(root);
    morphInto(root, template.content, ctx);
  }

  // Morph *target*'s children into *fragment*'s; the new elements come alive.
  function morphInto(target, fragment, ctx) {
    windowKeys = null;
    morphChildren(target, fragment, ctx);
    arrived(ctx);
  }

  // The nodes a morph added (ctx.added) come alive.
  function arrived(ctx) {
    ctx.added.forEach((node) => {
      if (node.nodeType !== 1) return;
      scan(node);
      each("enter", node);
    });
  }

  // ---------- Extensions: the optional scripts ----------
  // cf.js is the core. cf-navigate.js, cf-hooks.js and cf-transitions.js (and an app's own
  // scripts) add features with cf.extend(name, setup), loaded after cf.js (cf_scripts() writes
  // their tags, or load() fetches the OPTIONAL ones a page turns out to use). setup(core)
  // receives the runtime's parts below and returns what the extension adds, each part optional:
  //   effects: {type: (root, effect, {depth}) => ...}  reply effects it applies
  //   api: {name: value}          added to window.cf (cf.navigate, cf.hooks, ...)
  //   selector: "[cf-upload]"     elements it works on: rendered() runs for roots holding one
  //   rendered(root, {updated})   a root was started (updated: false) or morphed (true)
  //   swept()                     elements may have left the page (a morph, a navigation;
  //                               once per scan, however many roots it started)
  //   connection(step)            the WebSocket is "disconnected" or "reconnected"
  //   start()                     the page's components are started (at once if they are)
  //   enter(el)                   el was added by a morph
  //   leave(el) -> true           it takes el out of the page itself (later)
  //   show(el, shown) -> true     it shows or hides el itself (optimistic cf-show)
  //   around(root, finish) -> promise   it runs the morph, finish(), itself
  // A part that throws is logged; the page goes on.

  // The optional scripts of this release, and what shows that a page uses one.
  const OPTIONAL = {
    navigate: { uses: "[cf-navigate],[cf-prefetch],[data-cf-url]" },
    hooks: { uses: "[cf-hook]" },
    transitions: { uses: "[cf-transition],[cf-view-transition]" },
    uploads: { uses: "[cf-upload]" },
    streams: { uses: "[cf-stream]" },
    lazy: { uses: "[data-cf-lazy]" },
    poll: { uses: "[data-cf-poll]" },
  };
  const extensions = new Map(); // name -> what its setup returned
  let started = false;

  // Run *step* of each extension that has it, in the order they came; the first truthy result
  // (a step that takes something over) ends the round and is returned.
  function each(step, ...args) {
    for (const [name, ext] of extensions) {
      if (typeof ext[step] !== "function") continue;
      try {
        const taken = ext[step](...args);
        if (taken) return taken;
      } catch (e) {
        console.error(`cf.js: the ${name} extension's ${step}() failed; the page goes on.`, e);
      }
    }
    return null;
  }

  const swept = () => each("swept");

  function extend(name, setup) {
    if (typeof name !== "string" || !name || typeof setup !== "function") {
      throw new TypeError("cf.extend(name, setup): a name and a function setup(core) => {...}");
    }
    if (extensions.has(name)) return false; // its script ran twice: the first one stays
    const ext = setup(core) || {};
    extensions.set(name, ext);
    Object.assign(effects, ext.effects);
    Object.assign(window.cf, ext.api);
    if (ext.selector) features += "," + ext.selector;
    if (started && typeof ext.start === "function") {
      try { ext.start(); } catch (e) { console.error(`cf.js: the ${name} extension's start() failed.`, e); }
    }
    early.splice(0).forEach(([root, effect]) => runEffects(root, [effect], 0, { first: true }));
    if (loads.has(name)) loads.get(name).done(true);
    return true;
  }

  // A page that uses an optional script it did not load gets it now, once, from beside cf.js
  // (same directory and ?v=); cf_scripts("name") loads it with the page, saving the round trip.
  // Resolves true once it registered, false (after one error naming it) if it could not load.
  const loads = new Map(); // name -> {promise, done}
  function load(name, what) {
    if (extensions.has(name)) return Promise.resolve(true);
    if (!loads.has(name)) {
      let done;
      const promise = new Promise((resolve) => { done = resolve; });
      loads.set(name, { promise, done });
      const tag = document.createElement("script");
      tag.src = new URL(`cf-${name}.js${clientVersion ? "?v=" + clientVersion : ""}`,
        new URL((script && script.src) || config.base + "/", location.href)).href;
      tag.setAttribute("data-cf-script", name);
      tag.onerror = tag.onload = () => {
        if (extensions.has(name)) return;
        console.error(`cf.js: this page uses ${what}, which needs cf-${name}.js; loading ` +
          `${tag.src} failed, so ${what} does nothing here.`);
        done(false);
      };
      document.head.appendChild(tag);
    }
    return loads.get(name).promise;
  }

  // Load the optional scripts the elements of *scope* use and the page did not load.
  function checkUses(scope) {
    Object.keys(OPTIONAL).forEach((name) => {
      if (loads.has(name) || extensions.has(name)) return;
      const el = scope.querySelector(OPTIONAL[name].uses);
      if (el) load(name, OPTIONAL[name].uses.split(",").find((s) => el.matches(s)).slice(1, -1));
    });
  }

  // ---------- Replies ----------

  // Apply *reply* to *root*. seq: the inputSeq its request left at; none for a server push.
  // depth: how many emitted events led to it. Returns a promise when the morph waits for a
  // view transition.
  // mounted: the reply is a first render (a remount, a lazy mount): it brings its streams' items.
  function apply(root, reply, { seq = null, depth = 0, mounted = false } = {}) {
    if (cancelled(reply)) return; // the app cancelled the request: nothing to show
    if (!reply || reply.type === "error") {
      showError(root, reply || errorReply("No reply from the server.", "no_reply"));
      return;
    }
    if (reply.type !== "component_update") return;
    const d = data(root);
    // A push shows the server's state as of the last reply this page applied.
    if (seq === null) seq = d.applied || 0;
    else d.applied = Math.max(d.applied || 0, seq);
    if (typeof reply.state === "string") root.setAttribute("data-cf-state", reply.state);
    if (reply.checksum) root.setAttribute("data-cf-checksum", reply.checksum);
    if (reply.subscribe_token) root.setAttribute("data-cf-token", reply.subscribe_token);
    if (reply.optimistic) root.setAttribute("data-cf-optimistic", JSON.stringify(reply.optimistic));
    served(root);
    const html = typeof reply.html === "string";
    const finish = () => {
      if (html) {
        morph(root, reply.html, seq, mounted);
        rendered(root, { updated: true });
      }
      root.dispatchEvent(new CustomEvent("cf:update", { bubbles: true, detail: reply }));
      runEffects(root, reply.effects, depth);
    };
    // cf-transitions.js may run the morph inside a view transition: then its promise.
    return (html && each("around", root, finish)) || finish();
  }

  // What depends on a root's elements after it was rendered (scanned, or morphed: updated),
  // the core's and the extensions'. One query finds whether it has any: most have none.
  let features = LOADERS + ",[cf-dirty],[cf-dirty-warn],[cf-visible]," +
    Object.values(OPTIONAL).map((o) => o.uses).join(",");

  // sweep: false when the caller sweeps once after many roots (a scan): each sweep looks at
  // every element an extension holds, so one per root made a page's start quadratic.
  function rendered(root, { updated, sweep = true }) {
    if (root.querySelector(features)) {
      showLoading(root);
      showDirty(root);
      watchVisible(root);
      each("rendered", root, { updated });
      if (started) checkUses(root);
    }
    if (sweep) swept();
  }

  // ---------- Effects: what a reply asks the page to do, in order, after its HTML ----------

  const effects = Object.create(null);

  // A first render's effects of a type no script has brought yet: an optional script loaded
  // after cf.js brings it (cf.extend), and they run then; the rest are reported on load.
  const early = [];
  window.addEventListener("load", () => early.splice(0).forEach(([, effect]) => runEffects(
    null, [effect], 0)));

  function runEffects(root, list, depth, { first = false } = {}) {
    if (!Array.isArray(list)) return;
    const batch = batcher();
    list.some((effect, i) => {
      const type = effect && effect.type;
      const run = typeof type === "string" ? effects[type] : undefined;
      if (!run && first) {
        early.push([root, effect]);
        return;
      }
      if (!run) {
        console.warn(`cf.js: a reply asked for an effect of unknown type ${JSON.stringify(type)}; ` +
          "it was ignored (is this cf.js older than the server?).");
        return;
      }
      let result;
      try { result = run(root, effect, { depth, batch }); }
      catch (e) { console.error(`cf.js: the ${type} effect failed; the next ones still run.`, e); }
      // An effect whose script is loading: the next ones wait for it.
      if (result && result.later) {
        result.later.then(() => runEffects(root, list.slice(i + 1), depth));
        return true;
      }
    });
    batch.seal();
  }

  // The server's event for the page's scripts and hooks: a DOM event on the root.
  effects.browser_event = (root, { name, detail = null }) => {
    if (typeof name !== "string" || !name) return;
    root.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail }));
  };

  const MAX_EMIT_DEPTH = 8;

  // An event for other components of this page (by name, by id, or the enclosing one): each
  // sends it as its own event, with its own state, checked by the server like any event; the
  // HTTP ones of a reply's emits in one request (batcher).
  effects.emit = (root, effect, { depth, batch }) => {
    const { event, payload = {} } = effect;
    let targets;
    if (typeof effect.to === "string") {
      targets = all('[data-cf-component="' + CSS.escape(effect.to) + '"]');
    } else if (typeof effect.component_id === "string") {
      targets = [byId(effect.component_id)].filter(Boolean);
    } else if (effect.parent === true) {
      targets = [rootOf(root.parentElement || root.getRootNode().host)].filter(Boolean);
    } else {
      targets = [];
    }
    if (depth >= MAX_EMIT_DEPTH) {
      console.error(`cf.js: ${event} was emitted ${depth} times in a row (components emitting to ` +
        "each other without end?); it was not sent.");
      return;
    }
    if (!targets.length) {
      console.warn(`cf.js: ${event} was emitted to no component on this page ` +
        `(${JSON.stringify(effect.to || effect.component_id || "the parent")}).`);
    }
    targets.forEach((target) => {
      request(target, { event, payload, depth: depth + 1, batch });
      if (batch) batch.add(); // its request joins (or skips) later, in its queue's turn
    });
  };

  // ---------- Optimistic UI ----------

  // Show or hide *el* (cf-show): at once, or through its transition (cf-transitions.js).
  function setShown(el, shown) {
    if (!each("show", el, shown)) el.hidden = !shown;
  }

  // Apply the patch the server computed for *event* with *rawPayload*: cf-text="key" shows the
  // value, cf-show="key" (or "!key") shows the element while it is true (false), cf-class=
  // "done:key busy:!key" toggles classes; a key may be a path ("items.3.done"). Returns how
  // to roll it back.
  function optimistic(root, event, rawPayload) {
    let patches;
    try { patches = JSON.parse(root.getAttribute("data-cf-optimistic") || "null"); }
    catch (e) { return null; }
    const patch = patches && patches[event + "|" + (rawPayload || "")];
    if (!patch || typeof patch !== "object") return null;
    // "key" or a path into it, "items.3.done"; null when the patch does not say.
    const value = (ref) => {
      const not = ref.startsWith("!"), [key, ...path] = (not ? ref.slice(1) : ref).split(".");
      if (!Object.hasOwn(patch, key)) return null;
      let raw = patch[key];
      for (const step of path) raw = raw !== null && typeof raw === "object" ? raw[step] : undefined;
      return { on: truthy(raw) !== not, raw };
    };
    const undo = [];
    own(root, "[cf-text],[cf-show],[cf-class]").forEach((el) => {
      const text = el.hasAttribute("cf-text") && value(el.getAttribute("cf-text"));
      if (text && !el.getAttribute("cf-text").startsWith("!")) {
        const was = el.textContent;
        undo.push(() => { el.textContent = was; });
        el.textContent = text.raw === null || text.raw === undefined ? "" :
          typeof text.raw === "object" ? JSON.stringify(text.raw) : String(text.raw);
      }
      const show = el.hasAttribute("cf-show") && value(el.getAttribute("cf-show"));
      if (show) {
        const was = !el.hidden;
        undo.push(() => setShown(el, was));
        setShown(el, show.on);
      }
      words(el.getAttribute("cf-class")).forEach((pair) => {
        const at = pair.lastIndexOf(":");
        const toggled = at > 0 && value(pair.slice(at + 1));
        if (!toggled) return;
        const name = pair.slice(0, at), was = el.classList.contains(name);
        undo.push(() => el.classList.toggle(name, was));
        el.classList.toggle(name, toggled.on);
      });
    });
    return () => undo.reverse().forEach((f) => f());
  }

  // ---------- Transports ----------

  // The one place a component_event message is built, for every transport. *url*: the
  // page's query string, for a render from the URL (back and forward).
  function message(root, event, payload, url = null) {
    const msg = {
      type: "component_event",
      component: root.getAttribute("data-cf-component"),
      component_id: root.getAttribute("data-cf-id"),
      event: event || null,
      payload: payload || {},
      state: root.getAttribute("data-cf-state"),
      checksum: root.getAttribute("data-cf-checksum"),
    };
    if (url !== null) msg.url = url;
    return msg;
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

  // The request posting *msg* to the root's endpoint + *path*, as the app's cf:before-request
  // left it; null when the app cancelled it.
  const prepare = (root, path, msg, transport) => beforeRequest(root, {
    transport,
    url: endpoint(root) + path,
    message: msg,
    headers: { ...config.headers, "Content-Type": "application/json", "X-CF-Request": "1" },
  });

  const send = ({ url, headers, message: msg }) =>
    fetch(url, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(msg) });

  function post(root, path, msg, transport) {
    const request = prepare(root, path, msg, transport);
    return request && send(request);
  }

  const unreadable = (response) => () =>
    errorReply(`The server sent an unreadable reply (HTTP ${response.status}).`, "bad_reply");

  // The JSON reply of a sent request (null: cancelled).
  const received = (sent) => (sent ? sent.then(
    (response) => {
      serverVersion(response.headers.get("X-CF-Version"));
      return response.json().catch(unreadable(response));
    },
    () => errorReply(NETWORK, "network_error")) : Promise.resolve(cancelledReply()));

  const httpEvent = (root, msg) => received(post(root, "/event", msg, "http"));

  // The events a reply's effects emit go as one request (a component_batch), sent once each
  // target's queue reached it: a target joins with its message when its turn comes, or skips
  // (its event goes by the socket or a stream). Each keeps its own reply. add() counts a
  // target in; seal() says the effects are done adding.
  function batcher() {
    let n = 1, members = [];
    const done = () => {
      if (--n) return;
      // Each message meets the app's cf:before-request as a lone one would.
      members = members.filter((m) => (m.request = prepare(m.root, "/event", m.msg, "http")) ||
        m.resolve(cancelledReply()));
      // Per endpoint, at most 20 (the server's default limit) a batch.
      while (members.length) {
        const chunk = members.filter((m) => m.request.url === members[0].request.url).slice(0, 20);
        members = members.filter((m) => !chunk.includes(m));
        batch(chunk);
      }
    };
    return {
      add: () => n++,
      join: (root, msg) => new Promise((resolve) => { members.push({ root, msg, resolve }); done(); }),
      skip: done,
      seal: done,
    };
  }

  const alone = (m) => m.resolve(received(send(m.request)));

  function batch(chunk) {
    if (!chunk[1]) return alone(chunk[0]);
    const headers = Object.assign({}, ...chunk.map((m) => m.request.headers));
    const messages = chunk.map((m) => m.request.message);
    received(send({ url: chunk[0].request.url, headers, message: { type: "component_batch", messages } }))
      .then((reply) => chunk.forEach((m, i) => {
        const code = reply && reply.code;
        // A batch this server refuses whole (too large, longer than its limit): one by one.
        if (code === "too_large" || code === "bad_batch") alone(m);
        else m.resolve(reply && reply.type === "batch_reply" ? (reply.replies || [])[i] : reply);
      }));
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
      all(ROOT + "[data-cf-live]:not([data-cf-lazy])").forEach((root) => this.subscribe(root, { resync }));
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
        // The state it holds, as the server signed it: the server runs pushed events from it.
        state: root.getAttribute("data-cf-state"),
        checksum: root.getAttribute("data-cf-checksum"),
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
      each("connection", "disconnected");
    }

    goOnline() {
      if (!this.offline) return;
      this.offline = false;
      console.info("cf.js: live updates are back online.");
      all(ROOT + "[" + OFFLINE + "]").forEach((root) => markOffline(root, false));
      each("connection", "reconnected");
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
  // A push_event the server already ran for the state this page holds carries its update and
  // that state's checksum (base): it is applied when the page still holds that state and has
  // no request in flight; otherwise the page sends the event itself, over the socket when it
  // is live there, so the server learns the state it holds. One with an error shows it.
  const resyncing = new Set(); // ids whose resync waits for its moment
  function onPush(msg) {
    const id = msg.component_id || "";
    if (msg.type === "push_event" && (msg.update || msg.error)) {
      const root = byId(id);
      if (!root) return true;
      if (msg.error) { showError(root, msg.error); return true; }
      if (!(data(root).pending || []).length && root.getAttribute("data-cf-checksum") === msg.base) {
        apply(root, msg.update);
        return true;
      }
    }
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
      const viaSocket = msg.type === "push_event" && root && root.hasAttribute("data-cf-subscribed");
      if (root) request(root, { event: msg.event || null, payload: msg.payload || {}, viaSocket });
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
  //   whose values the payload carries; rawPayload: the cf-payload text (optimistic patches);
  //   depth: how many emitted events led to it; url: the query string to render from;
  //   viaSocket: over the socket whenever it is open (a push's answer); batch: the batcher
  //   of the emits its HTTP request joins; typing: *sent* hold text being typed (typedOn).
  function request(root, {
    event = null, payload = {}, source = null, sent = [], rawPayload = null, depth = 0, url = null,
    viaSocket = false, batch = null, typing = false,
  } = {}) {
    const undo = event ? optimistic(root, event, rawPayload) : null;
    const d = data(root);
    const entry = { event, sent: false };
    (d.pending || (d.pending = [])).push(entry);
    showPending(root);
    if (source) hold(source, "busy", markLoading);
    inFlight++;
    // A change after this moment is newer than the payload: the reply must not overwrite it.
    const seq = inputSeq;
    sent.forEach((el) => group(el).forEach((c) => Object.assign(data(c), { sent: seq, typing })));
    return enqueue(root, () => {
      entry.sent = true;
      showPending(root);
      const show = (reply) => apply(root, reply, { seq, depth });
      // A state the server cannot use is not an error to show: the page recovers (Recovery).
      const recovers = (reply) => recoverable(reply, root);
      return transmit(root, message(root, event, payload, url), (reply) => recovers(reply) || show(reply), viaSocket, batch)
        .then((reply) => (recovers(reply) ? recoverAndResend(root, reply, { event, payload, source, show }) : reply))
        .then((reply) => {
          if (undo && (!reply || reply.type === "error")) undo();
          return reply;
        });
    }).then((reply) => {
      d.pending.splice(d.pending.indexOf(entry), 1);
      showPending(root);
      if (source) release(source, "busy");
      inFlight--;
      whenSafe();
      return reply;
    });
  }

  // What the page's requests are: {inFlight: event or null, queued: [event, ...]}.
  function pending(root) {
    const list = data(root).pending || [];
    const flying = list.find((p) => p.sent);
    const queued = list.filter((p) => !p.sent).map((p) => p.event);
    return { inFlight: flying ? flying.event : null, queued };
  }

  // Send *msg* for *root* on its transport (a stream, the socket or HTTP); *onReply* gets each
  // reply (each frame of a stream). Resolves with the (last) reply.
  // socketFirst: over the socket whenever it is open (a push's answer). batch: the emits'
  // batcher, which an HTTP request joins (any other skips it).
  function transmit(root, msg, onReply, socketFirst = false, batch = null) {
    const stream = root.hasAttribute("data-cf-stream");
    const viaSocket = !stream && ((socketFirst && socket.open) ||
      (root.getAttribute("data-cf-transport") === "ws" && socket.usable()));
    if (batch && (stream || viaSocket)) batch.skip();
    if (stream) return streamEvent(root, msg, onReply);
    // Resolved once the reply is applied (a morph may wait for a view transition).
    return (viaSocket ? socket.send(root, msg) : batch ? batch.join(root, msg) : httpEvent(root, msg))
      .then((reply) => Promise.resolve(onReply(reply)).then(() => reply));
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
    // A component with URL state mounts again from the URL the page shows.
    const url = root.hasAttribute("data-cf-url") ? location.search : null;
    const ok = (reply) => Boolean(reply) && reply.type !== "error";
    const show = (reply) => ok(reply) && apply(root, reply, { seq, mounted: true });
    return transmit(root, mountMessage(root, url), show).then((reply) => {
      if (!ok(reply)) { // unreachable: nothing to reload from; refused: only a reload is left
        return reply && reply.code === "network_error" ? null : reloadKeepingInput(refused.code);
      }
      if (root.hasAttribute("data-cf-live") && socket.open) socket.subscribe(root);
      return replay(root).then(() => { announce(root, "remount", refused.code); return reply; });
    });
  }

  // The message that mounts *root*'s component from its signed mount parameters.
  const mountMessage = (root, url) => ({ ...message(root, null, {}, url), state: null,
    checksum: null, mount: root.getAttribute("data-cf-mount"),
    mount_checksum: root.getAttribute("data-cf-mount-checksum") });

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
      if (type.endsWith("keydown") && !keyMatches(ev, mods)) continue;
      return { event: el.getAttribute(name), mods };
    }
    return null;
  }

  // The debounced cf-model updates of *root* waiting for quiet: control -> send.
  const pendingModels = (root) => data(root).models || (data(root).models = new Map());

  // Send the debounced cf-model updates of *root* now, so an action sees the latest values.
  function flushModels(root) {
    const waiting = pendingModels(root);
    waiting.forEach((send, el) => {
      clearTimeout(data(el).timers.model);
      waiting.delete(el);
      send();
    });
  }

  function limited(el, key, send, debounceMs = null) {
    const timers = data(el).timers || (data(el).timers = {});
    const debounce = debounceMs !== null ? debounceMs :
      parseInt(el.getAttribute("cf-debounce") || (key === "model" ? "150" : ""), 10);
    const throttle = parseInt(el.getAttribute("cf-throttle") || "", 10);
    if (throttle > 0) {
      const now = Date.now();
      if (timers[key + ":t"] && now - timers[key + ":t"] < throttle) return;
      timers[key + ":t"] = now;
    }
    if (!(debounce > 0)) return send();
    clearTimeout(timers[key]);
    if (key === "model") {
      const waiting = pendingModels(rootOf(el));
      waiting.set(el, send);
      timers[key] = setTimeout(() => { waiting.delete(el); send(); }, debounce);
    } else {
      timers[key] = setTimeout(send, debounce);
    }
  }

  // cf-confirm="Delete this item?": *go* once the user agrees. cf:confirm is dispatched on the
  // element first (bubbling, cancelable): a listener that cancels it asks in its own way and
  // calls event.detail.proceed() to send; else the browser's confirm() asks.
  function confirmThen(el, question, event, go) {
    let asked = false;
    const proceed = () => { if (!asked) { asked = true; go(); } };
    const detail = { message: question, event, proceed };
    const ev = new CustomEvent("cf:confirm", { bubbles: true, composed: true, cancelable: true, detail });
    if (el.dispatchEvent(ev) && window.confirm(question)) proceed();
  }

  // Bindings whose DOM event keeps its default: the ones that only observe.
  const OBSERVING = new Set(
    ["input", "change", "blur", "focus", "visible", "click-away", "window-keydown"]);

  function fire(el, binding, type, ev) {
    const root = rootOf(el);
    if (!root || !binding.event) return;
    if (ev && (!OBSERVING.has(type) || binding.mods.includes("prevent"))) ev.preventDefault();
    if (ev && binding.mods.includes("stop")) ev.stopPropagation();
    // A form (or cf-disable-with element) whose event is pending takes no second one.
    if (holding(el, "disable")) return;
    const raw = el.getAttribute("cf-payload");
    let payload = {};
    if (raw) {
      try { payload = JSON.parse(raw); }
      catch (e) { showError(root, errorReply("cf-payload is not valid JSON: " + raw, "bad_payload")); return; }
    }
    const form = type === "submit" && el.tagName === "FORM";
    // The controls whose values the server will see; the one that fired counts too.
    const sent = form ? formControls(el) : [el];
    if (form) payload = { form_data: formData(el) };
    else if (!type.startsWith("click") && isControl(el) && !("value" in payload)) {
      payload.value = controlValue(el);
    }
    const held = form ? [el, ...submitButtons(el)] : el.hasAttribute("cf-disable-with") ? [el] : [];
    const send = () => limited(el, type, () => {
      flushModels(root);
      const seq = inputSeq;
      held.forEach((h) => hold(h, "disable", disable));
      const typing = type === "input";
      request(root, { event: binding.event, payload, source: el, sent, rawPayload: raw, typing }).then((reply) => {
        held.forEach((h) => release(h, "disable"));
        // <form cf-submit="..." cf-reset>: clear the inputs once the server accepted them,
        // except those the user changed after the submit (the next item being typed).
        if (form && el.hasAttribute("cf-reset") && reply && reply.type !== "error") {
          sent.forEach((control) => { if (!(data(control).changed > seq)) resetControl(control); });
          showDirty(root);
        }
      });
    });
    const submitter = ev && ev.submitter;
    const question = el.getAttribute("cf-confirm") ??
      (submitter ? submitter.getAttribute("cf-confirm") : null);
    if (question === null) send();
    else confirmThen(el, question, binding.event, send);
  }

  // cf-model="field": sets the field on input (debounced 150 ms); .lazy: on change; .blur: when
  // the control loses focus; .debounce.500: on input after 500 ms of quiet.
  function model(el, ev) {
    const name = el.getAttributeNames().find((n) => n === "cf-model" || n.startsWith("cf-model."));
    if (!name) return false;
    const mods = name.split(".").slice(1);
    const on = mods.includes("lazy") ? "change" : mods.includes("blur") ? "blur" : "input";
    if (ev.type !== on) return ev.type === "input" || ev.type === "change";
    const root = rootOf(el);
    const field = el.getAttribute(name);
    if (!root || !field) return true;
    const at = mods.indexOf("debounce");
    const ms = at < 0 ? null : parseInt(mods[at + 1] || "150", 10);
    limited(el, "model", () => {
      request(root, {
        event: "field_change", payload: { field, value: controlValue(el) }, source: el, sent: [el],
        typing: on === "input",
      });
    }, on === "input" ? ms : parseInt(el.getAttribute("cf-debounce") || "0", 10));
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
    if (!el) return;
    const edit = (ev.type === "input" || ev.type === "change") && isControl(el);
    if (edit) {
      // Leaving a text field fires its change, which brings no new text: a change only when
      // its value is not the one last typed or rendered (a script set it).
      const d = data(el);
      if (ev.type === "input" || !TEXT_TYPES.test(el.type) || d.known !== el.value) {
        inputSeq++;
        group(el).forEach((control) => { data(control).changed = inputSeq; });
      }
      d.known = el.value;
      const root = rootOf(el);
      if (root) showDirty(root);
    }
    if (ev.type === "focus" || ev.type === "blur") {
      // They do not bubble: only the element itself answers.
      if (ev.type === "blur" && isControl(el) && model(el, ev)) return;
      const binding = bindingOf(el, ev.type, ev);
      if (binding) fire(el, binding, ev.type, ev);
      return;
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
    ["click", "submit", "change", "input", "keydown", "focus", "blur"].forEach((type) => {
      scope.addEventListener(type, onEvent, type === "input" || type === "focus" || type === "blur");
    });
  }

  listen(document);

  // The elements with an attribute whose name starts with *prefix* (cf-window-keydown.esc...),
  // in every scope: CSS cannot select by the start of an attribute's name, XPath can.
  function withAttributePrefix(prefix) {
    const found = [];
    const query = `descendant-or-self::*[@*[starts-with(name(), "${prefix}")]]`;
    scopes.forEach((scope) => {
      if (scope !== document && !scope.host.isConnected) return;
      // A shadow root is no XPath context: its elements are.
      (scope === document ? [document] : Array.from(scope.children)).forEach((context) => {
        const result = document.evaluate(query, context, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE);
        for (let i = 0; i < result.snapshotLength; i++) found.push(result.snapshotItem(i));
      });
    });
    return found;
  }

  // cf-window-keydown.escape="close": a key pressed anywhere on the page (unless a binding on
  // the way stopped it). The default action stays unless .prevent. The elements are looked up
  // once after each render (scan, morph), not on every key.
  let windowKeys = null;

  window.addEventListener("keydown", (ev) => {
    if (!windowKeys) windowKeys = withAttributePrefix("cf-window-keydown");
    windowKeys.forEach((el) => {
      if (!el.isConnected) return;
      const binding = bindingOf(el, "window-keydown", ev);
      if (binding) fire(el, binding, "window-keydown", ev);
    });
  });

  // cf-click-away="close": a click outside the element, while it is shown.
  document.addEventListener("click", (ev) => {
    const path = ev.composedPath();
    all("[cf-click-away]").forEach((el) => {
      if (path.includes(el) || !el.getClientRects().length) return;
      fire(el, { event: el.getAttribute("cf-click-away"), mods: [] }, "click-away", ev);
    });
  }, true);

  // cf-visible="load_more": the element came into view (scrolled to, shown, or added in view).
  let visibility = null;

  function watchVisible(root) {
    const watched = root.querySelectorAll("[cf-visible]");
    if (!watched.length) return;
    if (!visibility) visibility = new IntersectionObserver(onVisible);
    watched.forEach((el) => {
      const d = data(el);
      if (!d.watched) { d.watched = true; visibility.observe(el); }
    });
  }

  function onVisible(entries) {
    entries.forEach(({ target: el, isIntersecting }) => {
      const d = data(el);
      const was = d.inView;
      d.inView = isIntersecting;
      if (!el.isConnected) { visibility.unobserve(el); d.watched = false; return; }
      if (!isIntersecting || was) return;
      const event = el.getAttribute("cf-visible");
      if (event) fire(el, { event, mods: [] }, "visible", null);
    });
  }

  // ---------- Dirty controls: changed by the user, not yet what the server rendered ----------

  function differs(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      if (!el.multiple) return el.selectedIndex !== defaultIndex(el);
      return Array.from(el.options).some((o) => o.selected !== o.defaultSelected);
    }
    if (el.type === "file") return el.files.length > 0;
    return el.value !== el.defaultValue;
  }

  const BUTTONS = new Set(["submit", "button", "reset", "image"]);
  const dirty = (el) =>
    (isControl(el) ? [el] : Array.from(el.querySelectorAll("input,select,textarea")))
      .some((c) => !BUTTONS.has(c.type) && differs(c));

  function markDirty(el) {
    el.setAttribute("data-cf-dirty", "");
    const undo = addClasses(el, el.getAttribute("cf-dirty"));
    return () => { el.removeAttribute("data-cf-dirty"); undo(); };
  }

  // cf-dirty="class": data-cf-dirty (and the classes) while a control of the element (or the
  // control itself) differs from what the server rendered.
  function showDirty(root) {
    own(root, "[cf-dirty]").forEach((el) => {
      const d = data(el), now = dirty(el);
      if (now === Boolean(d.dirty)) return;
      d.dirty = now;
      if (now) hold(el, "dirty", markDirty);
      else release(el, "dirty");
    });
    if (!warning && own(root, "[cf-dirty-warn]").length) {
      warning = true;
      window.addEventListener("beforeunload", warnOnLeave);
    }
  }

  // cf-dirty-warn: the browser asks before the page is left while such an element is dirty.
  let warning = false;

  function warnOnLeave(ev) {
    if (!all("[cf-dirty-warn]").some(dirty)) return;
    ev.preventDefault();
    ev.returnValue = "";
  }

  // ---------- Redirect and flash effects ----------

  const FLASH_COOKIE = "cf_flash";
  let flashCarried = false;
  const flashQueue = [];

  // A normal page load; "replace" (or "none": back and forward, the entry is there) replaces
  // the current history entry.
  function leaveWithLoad(href, mode = "push") {
    if (mode === "none" || mode === "replace") location.replace(href);
    else location.assign(href);
  }

  effects.redirect = (root, { url, flash = null }) => {
    const target = new URL(url, location.href);
    if (!/^https?:$/.test(target.protocol)) {
      console.error(`cf.js: redirect to ${url} refused: not a web address.`);
      return;
    }
    if (flash) carryFlash(flash);
    leaveWithLoad(target.href);
  };

  // Before cf-navigate.js: the effect (and the ones after it) waits for it to load; if it cannot,
  // the next page loads normally.
  effects.navigate = effects.patch_url = (root, effect, options) => ({
    later: load("navigate", `the ${effect.type} effect`).then((ok) => {
      if (ok) return effects[effect.type](root, effect, options);
      if (effect.type === "navigate") {
        effects.redirect(root, effect);
        if (effect.replace) leaveWithLoad(new URL(effect.url, location.href).href, "replace");
      }
    }),
  });

  // Shown once the reply's effects ran, unless a redirect or navigation carries them on.
  effects.flash = (root, { level, text }) => {
    if (typeof text !== "string") return;
    flashQueue.push({ level: String(level || "info"), text });
    if (flashQueue.length > 1) return;
    queueMicrotask(() => {
      const shown = flashQueue.splice(0);
      if (!flashCarried) shown.forEach(showFlash);
      flashCarried = false;
    });
  };

  function flashRegion() {
    let region = document.querySelector("[data-cf-flash]");
    if (!region) {
      console.warn("cf.js: a flash message has no region to show in; place {{ cf_flash() }} " +
        "(Django: {% cf_flash %}) once in the page's layout.");
      region = document.createElement("div");
      region.id = "cf-flash";
      region.className = "cf-flash";
      region.setAttribute("data-cf-flash", "");
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function showFlash({ level, text }) {
    const el = document.createElement("div");
    el.className = "cf-flash-message cf-flash-" + level;
    el.setAttribute("data-level", level);
    const span = document.createElement("span");
    span.className = "cf-flash-text";
    span.textContent = text;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cf-flash-dismiss";
    button.setAttribute("data-cf-dismiss", "");
    button.setAttribute("aria-label", "Dismiss");
    button.textContent = "\u00d7";
    el.append(span, button);
    flashRegion().appendChild(el);
  }

  function dismissFlash(button) {
    (button.closest("[data-level]") || button.parentElement).remove();
  }

  // The next page's server shows the messages (signed, a minute at most); its cf.js deletes
  // the cookie: shown once.
  function carryFlash(token) {
    flashCarried = true;
    if (!/^[0-9A-Za-z._-]+$/.test(token)) return;
    const secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = `${FLASH_COOKIE}=${token}; path=/; max-age=60; samesite=strict${secure}`;
  }

  function forgetFlash() {
    if (document.cookie.split("; ").some((c) => c.startsWith(FLASH_COOKIE + "="))) {
      document.cookie = `${FLASH_COOKIE}=; path=/; max-age=0; samesite=strict`;
    }
  }

  // Messages rendered with the page are written again once it is shown, so the live region
  // announces them (content present at load is not announced).
  function announceFlash() {
    document.querySelectorAll("[data-cf-flash] .cf-flash-text").forEach((el) => {
      const text = el.textContent;
      el.textContent = "";
      requestAnimationFrame(() => { el.textContent = text; });
    });
  }

  document.addEventListener("click", (ev) => {
    const dismiss = ev.target.closest && ev.target.closest("[data-cf-flash] [data-cf-dismiss]");
    if (dismiss) dismissFlash(dismiss);
  });

  // Flash messages are one-shot: a page the browser shows again on back or forward (from its
  // HTTP cache, or whole from the back/forward cache) shows none of those rendered with it.
  function dropFlash() {
    document.querySelectorAll("[data-cf-flash] [data-level]").forEach((el) => el.remove());
  }
  const backOrForward = () => {
    const entry = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    return !!entry && entry.type === "back_forward";
  };
  window.addEventListener("pageshow", (ev) => { if (ev.persisted) dropFlash(); });

  // ---------- Start ----------

  function scan(node) {
    windowKeys = null;
    if (node instanceof ShadowRoot) listen(node);
    const roots = node.matches && node.matches(ROOT) ? [node] : [];
    roots.push(...(node.querySelectorAll ? node : document).querySelectorAll(ROOT));
    const asked = []; // the effects of first renders, run once every root is started
    let fresh = false;
    roots.forEach((root) => {
      const d = data(root);
      if (d.ready) return;
      d.ready = fresh = true;
      served(root);
      root.setAttribute("data-cf-ready", "");
      rendered(root, { updated: false, sweep: false });
      if (root.hasAttribute("data-cf-effects")) {
        try { asked.push([root, JSON.parse(root.getAttribute("data-cf-effects"))]); }
        catch (e) { console.warn("cf.js: data-cf-effects is not JSON; ignored.", e); }
        root.removeAttribute("data-cf-effects");
      }
      // Live roots subscribe to pushes; roots on the "ws" transport send their events on
      // the socket, so it must be opened for them too, live or not.
      if (!usesSocket(root)) return;
      if (socket.offline) markOffline(root, true);
      if (!socket.open) socket.connect(root);
      else if (root.matches("[data-cf-live]:not([data-cf-lazy])")) socket.subscribe(root);
    });
    if (fresh) swept();
    asked.forEach(([root, list]) => runEffects(root, list, 0, { first: true }));
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
    /** A component's requests: {inFlight: event or null, queued: [events]}. */
    pending(target) {
      const root = resolveRoot(target);
      if (!root) throw new Error("cf.pending: no component " + target);
      return pending(root);
    },
    /** Hooks by name, for cf-hook="Name" (cf-hooks.js runs them): {mounted, updated, ...}. */
    hooks: window.cfHooks || {},
    /** What each effect type of a reply does: effects[type](root, effect). */
    effects,
    /** Add an optional script's features: setup(core) returns them (see "Extensions"). */
    extend,
    /** Live navigation, with cf-navigate.js (loaded now if need be); without it, a page load. */
    navigate(url, { replace = false } = {}) {
      return load("navigate", "cf.navigate()").then((ok) => ok ? window.cf.navigate(url, { replace }) :
        (leaveWithLoad(new URL(url, location.href).href, replace ? "replace" : "push"), false));
    },
    /** Fetch *url* for a live navigation, with cf-navigate.js (loaded now if need be). */
    prefetch(url) {
      return load("navigate", "cf.prefetch()").then((ok) => ok ? window.cf.prefetch(url) : undefined);
    },
  };

  // What an extension's setup(core) builds on: the runtime's parts, as they are in this file.
  const core = {
    ROOT, all, data, own, rootOf, byId, usesSocket, hold, release, request, served, morph,
    morphNode, arrived, remove, leaving, mountMessage, transmit, apply, enqueue,
    morphInto, rendered, swept, syncAttributes, elementsOf, socket, carryFlash, forgetFlash,
    leaveWithLoad, load,
    /** The number of the latest user change to a control (a morph's seq: keep newer values). */
    seq: () => inputSeq,
    /** Whether an element with cf-dirty-warn has changes the server has not seen. */
    unsaved: () => warning && all("[cf-dirty-warn]").some(dirty),
  };

  const start = () => {
    scan(document);
    restore();
    forgetFlash();
    if (backOrForward()) dropFlash();
    else announceFlash();
    checkUses(document);
    started = true;
    each("start");
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
