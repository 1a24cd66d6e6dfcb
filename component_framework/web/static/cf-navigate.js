/*! cf-navigate.js - cf.js's pages: live navigation (cf-navigate on links and GET forms,
 * cf.navigate(), the navigate effect), elements kept across pages (cf-persist), prefetch
 * (cf-prefetch, cf.prefetch()), the progress bar, and components with state in the URL
 * (data-cf-url): the patch_url effect and the history entries back and forward restore.
 * Load it after cf.js, with {{ cf_scripts("navigate") }}, or cf.js fetches it on first use
 * (links clicked before it arrives load pages normally).
 */
(() => {
  "use strict";
  if (!window.cf || !window.cf.extend) {
    console.error("cf-navigate.js: cf.js must be loaded before it, from the same release " +
      "({{ cf_scripts(\"navigate\") }} writes both tags in order).");
    return;
  }

  window.cf.extend("navigate", ({ ROOT, all, data, request, served, morph, morphInto, rendered, swept, syncAttributes, elementsOf, socket, carryFlash, forgetFlash, leaveWithLoad, seq, unsaved }) => {
    // A link inside cf-navigate (or a GET form with it, or the server's navigate effect) loads
    // its page by fetch and morphs the body into it: the socket, the elements marked cf-persist
    // and the components kept under the same id stay. A page that is not compatible (another
    // cf.js, other [data-cf-track] head elements, <meta name="cf-navigate" content="reload">)
    // is loaded normally. Each history entry cf.js makes holds {cf: {page, entry, snaps}}: the
    // page it belongs to and, for its components with URL state, their signed state and HTML,
    // so back and forward restore them without a request while that state is still valid.

    const newId = () => Math.random().toString(36).slice(2) + Date.now().toString(36);
    let pageId = newId(); // this page, until the next live navigation
    let entryId = null; // the history entry shown
    let documentUrl = location.href; // the URL the body was rendered for
    const scrolls = new Map(); // history entry -> [x, y], for back and forward
    let navigation = 0; // the latest navigation: an earlier one finishing late is dropped

    const samePage = (a, b) => {
      const x = new URL(a, location.href), y = new URL(b, location.href);
      return x.origin === y.origin && x.pathname === y.pathname && x.search === y.search;
    };

    // The snapshot of a component with URL state: what restores it without a request.
    const urlRoots = () => Array.from(document.querySelectorAll(ROOT + "[data-cf-url]"));
    const snapshotOf = (root) => data(root).snap || null;
    function snapshots(overrides = null) {
      const snaps = {};
      urlRoots().forEach((root) => {
        const snap = (overrides && overrides.get(root)) || snapshotOf(root);
        if (snap) snaps[root.getAttribute("data-cf-id")] = snap;
      });
      return snaps;
    }

    // Write the current history entry ("replace") or a new one ("push") with cf's part.
    // The page's own entry is first written when something needs it (a push, a reply to a
    // component with URL state, leaving), not when the page starts: each write makes the
    // browser save the state of every form control on the page (20 ms for 1,000 of them).
    let written = false;

    function writeEntry(mode, fields, url = null) {
      if (history.state !== null && typeof history.state !== "object") return; // the app's own
      const base = history.state || {};
      const first = mode === "replace" && !written ? { entry: entryId, snaps: snapshots(), scroll: null } : {};
      written = true;
      const mine = { ...(mode === "replace" && base.cf ? base.cf : {}), ...first, page: pageId, ...fields };
      const state = { ...(mode === "replace" ? base : {}), cf: mine };
      const write = (value) => history[mode === "push" ? "pushState" : "replaceState"](value, "", url);
      try {
        write(state);
      } catch (e) {
        // Too large for a history entry: back and forward then render from the URL.
        delete mine.snaps;
        write(state);
      }
    }

    // Add a history entry; from then on cf.js restores the scroll positions of its entries.
    function pushEntry(url, fields = {}) {
      if (!written) writeEntry("replace", {}); // the entry back returns to
      scrolls.set(entryId, [window.scrollX, window.scrollY]);
      history.scrollRestoration = "manual";
      entryId = newId();
      writeEntry("push", { entry: entryId, ...fields }, url);
    }

    // A reply to a component with URL state: its snapshot follows (the entry is rewritten once
    // the reply's effects ran, so a patch_url that pushes can first store the one before).
    let entryWrite = false;
    document.addEventListener("cf:update", (ev) => {
      const root = ev.target, reply = ev.detail;
      if (!root.hasAttribute || !root.hasAttribute("data-cf-url") || !reply || typeof reply.html !== "string") return;
      const d = data(root);
      d.snapBefore = d.snap || null;
      d.snap = { html: reply.html, state: reply.state, checksum: reply.checksum };
      if (entryWrite) return;
      entryWrite = true;
      queueMicrotask(() => {
        entryWrite = false;
        urlRoots().forEach((r) => { data(r).snapBefore = null; });
        writeEntry("replace", { snaps: snapshots() });
      });
    });

    function patchUrl(root, { url = null, query = null, history: mode = "push" }) {
      const next = new URL(url === null ? location.href : url, location.href);
      if (next.origin !== location.origin) {
        console.error(`cf.js: patch_url to ${next.href} refused: it is another site.`);
        return;
      }
      if (query && typeof query === "object") {
        Object.keys(query).forEach((name) => {
          const value = query[name];
          next.searchParams.delete(name);
          (Array.isArray(value) ? value : value === null ? [] : [value])
            .forEach((v) => next.searchParams.append(name, String(v)));
        });
      }
      if (next.href === location.href) return;
      if (mode === "replace") { writeEntry("replace", { snaps: snapshots() }, next.href); return; }
      // The entry left behind keeps the components as they were before this reply.
      const before = new Map();
      urlRoots().forEach((r) => { if (data(r).snapBefore) before.set(r, data(r).snapBefore); });
      writeEntry("replace", { snaps: snapshots(before) });
      pushEntry(next.href, { snaps: snapshots() });
    }

    // The release a checksum was signed by: a snapshot of another release is not restored.
    const releaseOf = (checksum) => (checksum || "").slice(0, (checksum || "").lastIndexOf(":"));

    // Back or forward to an entry of this page: each component with URL state comes back from
    // the entry's snapshot (no request) when it is still valid, else renders from the URL.
    function restoreEntry(state) {
      const snaps = (state && state.snaps) || {};
      urlRoots().forEach((root) => {
        const snap = snaps[root.getAttribute("data-cf-id")];
        const valid = snap && typeof snap.html === "string" && typeof snap.state === "string" &&
          root.getAttribute("data-cf-url") === "history" &&
          releaseOf(snap.checksum) === releaseOf(root.getAttribute("data-cf-checksum"));
        if (!valid) {
          request(root, { url: location.search });
          return;
        }
        root.setAttribute("data-cf-state", snap.state);
        root.setAttribute("data-cf-checksum", snap.checksum);
        served(root);
        data(root).snap = snap;
        morph(root, snap.html, seq());
        rendered(root, { updated: true });
        root.dispatchEvent(new CustomEvent("cf:restore", { bubbles: true, detail: { url: location.href } }));
      });
    }

    window.addEventListener("popstate", (ev) => {
      const state = ev.state && ev.state.cf;
      if (entryId) scrolls.set(entryId, [window.scrollX, window.scrollY]);
      if (!state) {
        // Not an entry of cf.js: an anchor (#section) of this page, or the app's own history.
        if (location.pathname !== new URL(documentUrl).pathname) visit(location.href, { history: "none" });
        return;
      }
      entryId = state.entry || entryId;
      if (state.page === pageId) { restoreEntry(state); return; }
      visit(location.href, { history: "none", scroll: scrolls.get(state.entry) || state.scroll || null });
    });

    // ---------- Live navigation ----------

    const cfScript = (doc) => {
      const el = doc.querySelector('script[src*="cf.js"]');
      return el ? new URL(el.getAttribute("src"), location.href).href : null;
    };
    const tracked = (doc) =>
      Array.from(doc.head ? doc.head.querySelectorAll("[data-cf-track]") : []).map((el) => el.outerHTML).sort().join("\n");

    // The optional scripts of *doc* (cf_scripts writes data-cf-script="name" on their tags).
    const optional = (doc) => Array.from(doc.querySelectorAll("script[data-cf-script]"))
      .map((el) => new URL(el.getAttribute("src"), location.href).href);

    // Whether *doc* can replace this page's body: same cf.js, no optional script this page has
    // not run (a page that needs one more is loaded normally), same tracked head elements.
    const compatiblePage = (doc) => {
      const here = new Set(optional(document));
      return cfScript(doc) === cfScript(document) && optional(doc).every((src) => here.has(src)) &&
        tracked(doc) === tracked(document) &&
        !doc.querySelector('meta[name="cf-navigate"][content="reload"]');
    };

    const prefetched = new Map(); // URL -> {at, promise}, for 10 s
    const PREFETCH_MS = 10000;

    function fetchPage(url) {
      return fetch(url, {
        headers: { "X-CF-Navigate": "1", Accept: "text/html,application/xhtml+xml" },
        credentials: "same-origin",
      }).then((response) => {
        const type = response.headers.get("Content-Type") || "";
        if (!type.includes("html")) throw new Error("not a page: " + type);
        return response.text().then((html) => ({ url: response.url || url, html }));
      });
    }

    function prefetch(href) {
      const url = new URL(href, location.href);
      url.hash = "";
      const found = prefetched.get(url.href);
      if (found && Date.now() - found.at < PREFETCH_MS) return found.promise;
      const promise = fetchPage(url.href);
      promise.catch(() => prefetched.delete(url.href));
      prefetched.set(url.href, { at: Date.now(), promise });
      if (prefetched.size > 20) prefetched.delete(prefetched.keys().next().value);
      return promise;
    }

    function takePrefetched(href) {
      const url = new URL(href, location.href);
      url.hash = "";
      const found = prefetched.get(url.href);
      prefetched.delete(url.href);
      return found && Date.now() - found.at < PREFETCH_MS ? found.promise : null;
    }

    // A thin bar at the top while a page takes more than 150 ms to arrive.
    function startProgress() {
      let bar = null;
      const timer = setTimeout(() => {
        bar = document.createElement("div");
        bar.className = "cf-progress";
        bar.setAttribute("role", "progressbar");
        bar.setAttribute("aria-label", "Loading the page");
        bar.style.cssText = "position:fixed;top:0;left:0;height:3px;width:0;z-index:2147483647;" +
          "background:var(--cf-progress-color,#2563eb);transition:width 2s cubic-bezier(.1,.7,.3,1)";
        document.documentElement.appendChild(bar);
        void bar.offsetWidth;
        bar.style.width = "80%";
      }, 150);
      return () => {
        clearTimeout(timer);
        if (!bar) return;
        bar.style.transition = "width .15s";
        bar.style.width = "100%";
        setTimeout(() => bar.remove(), 200);
      };
    }

    // The head's title and meta follow the next page; its new styles and scripts are added
    // (the styles loaded before the body is shown).
    function mergeHead(head) {
      if (!head) return Promise.resolve();
      const title = head.querySelector("title");
      if (title) document.title = title.textContent;
      const metaKey = (el) => el.getAttribute("name") || el.getAttribute("property") || el.getAttribute("http-equiv");
      const metas = (parent) => Array.from(parent.querySelectorAll("meta")).filter(metaKey);
      const wanted = new Map(metas(head).map((el) => [metaKey(el), el]));
      metas(document.head).forEach((el) => {
        const next = wanted.get(metaKey(el));
        if (!next) el.remove();
        else { syncAttributes(el, next); wanted.delete(metaKey(el)); }
      });
      wanted.forEach((el) => document.head.appendChild(document.importNode(el, true)));
      const present = new Set(Array.from(document.head.children).map((el) => el.outerHTML));
      const loads = [];
      head.querySelectorAll('link[rel="stylesheet"],style,script').forEach((el) => {
        if (present.has(el.outerHTML)) return;
        const added = el.tagName === "SCRIPT" ? runnable(el) : document.importNode(el, true);
        if (added.tagName === "LINK") {
          loads.push(new Promise((resolve) => { added.onload = added.onerror = resolve; setTimeout(resolve, 3000); }));
        }
        document.head.appendChild(added);
      });
      return Promise.all(loads);
    }

    // A copy of *el* the browser runs (a parsed <script> never runs once inserted).
    function runnable(el) {
      const copy = document.createElement("script");
      Array.from(el.attributes).forEach(({ name, value }) => copy.setAttribute(name, value));
      copy.textContent = el.textContent;
      return copy;
    }

    // The body becomes *body*'s: morphed, persistent elements kept, new scripts run, new
    // components started, components that left unsubscribed.
    function swapBody(body) {
      const before = Array.from(document.querySelectorAll(ROOT));
      const persistent = new Map();
      document.querySelectorAll("[cf-persist][id]").forEach((el) => persistent.set(el.id, el));
      const active = document.activeElement;
      const ctx = { seq: seq(), added: [], ids: new WeakMap(), page: true };
      syncAttributes(document.body, body);
      morphInto(document.body, body, ctx);
      // An element kept across pages that the next page placed elsewhere moves there whole.
      persistent.forEach((old, id) => {
        if (old.isConnected) return;
        const spot = document.getElementById(id);
        if (spot && spot.hasAttribute("cf-persist")) spot.replaceWith(old);
      });
      ctx.added.forEach((node) => {
        if (node.nodeType !== 1) return;
        const scripts = node.tagName === "SCRIPT" ? [node] : Array.from(node.querySelectorAll("script"));
        scripts.forEach((el) => el.replaceWith(runnable(el)));
      });
      before.forEach((root) => { if (!root.isConnected) left(root); });
      swept();
      if (active && !active.isConnected) document.body.focus({ preventScroll: true });
      const auto = document.querySelector("[autofocus]");
      if (auto) auto.focus({ preventScroll: true });
      startUrlRoots();
    }

    // A component no longer on the page gets no more pushes.
    function left(root) {
      if (root.hasAttribute("data-cf-subscribed") && socket.open) {
        socket.send(root, { type: "unsubscribe", component_id: root.getAttribute("data-cf-id") });
      }
    }

    // Screen readers hear the new page's title (a page swap is not a page load to them).
    function announcePage(text) {
      let el = document.getElementById("cf-announcer");
      if (!el) {
        el = document.createElement("div");
        el.id = "cf-announcer";
        el.setAttribute("aria-live", "assertive");
        el.setAttribute("aria-atomic", "true");
        el.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap";
        document.documentElement.appendChild(el);
      }
      el.textContent = text;
    }

    // Go to *href* by live navigation. history: "push" (a link), "replace", or "none" (back
    // and forward: the entry is there); scroll: [x, y] to restore (else the top, or #hash).
    function visit(href, { history: mode = "push", scroll = null, flash = null } = {}) {
      const url = new URL(href, location.href);
      if (!/^https?:$/.test(url.protocol)) {
        console.error(`cf.js: navigation to ${url.href} refused: not a web address.`);
        return Promise.resolve(false);
      }
      if (url.origin !== location.origin) return leaveWithLoad(url.href, mode);
      const ask = new CustomEvent("cf:navigate", { cancelable: true, detail: { url: url.href, history: mode } });
      if (!document.dispatchEvent(ask)) return Promise.resolve(false);
      if (mode !== "none" && unsaved() &&
        !window.confirm("Leave this page? Changes you made may not be saved.")) return Promise.resolve(false);
      if (flash) carryFlash(flash);
      const n = ++navigation;
      const done = startProgress();
      performance.mark("cf:navigate-start");
      const load = (mode === "push" && takePrefetched(url.href)) || fetchPage(url.href);
      return load.then((loaded) => {
        if (n !== navigation) return false;
        const doc = new DOMParser().parseFromString(loaded.html, "text/html");
        const final = new URL(loaded.url, location.href);
        if (!final.hash) final.hash = url.hash;
        if (final.origin !== location.origin || !compatiblePage(doc)) { leaveWithLoad(final.href, mode); return false; }
        return mergeHead(doc.head).then(() => {
          if (n !== navigation) return false;
          if (mode === "push") pushEntry(final.href);
          else if (mode === "replace") {
            history.scrollRestoration = "manual";
            writeEntry("replace", { entry: entryId = newId() }, final.href);
          }
          pageId = newId();
          documentUrl = final.href;
          swapBody(doc.body);
          writeEntry("replace", { entry: entryId, snaps: snapshots() });
          forgetFlash();
          const target = final.hash && document.getElementById(decodeURIComponent(final.hash.slice(1)));
          if (scroll) window.scrollTo(scroll[0], scroll[1]);
          else if (target) target.scrollIntoView();
          else window.scrollTo(0, 0);
          announcePage(document.title);
          performance.measure("cf:navigate", "cf:navigate-start");
          document.dispatchEvent(new CustomEvent("cf:navigated", { detail: { url: final.href } }));
          return true;
        });
      }).catch((e) => {
        if (n !== navigation) return false;
        console.warn(`cf.js: live navigation to ${url.href} failed (${e && e.message}); loading it.`);
        leaveWithLoad(url.href, mode);
        return false;
      }).finally(done);
    }

    // The URL a click on *ev* goes to by live navigation, or null (left to the browser).
    function navigableLink(ev) {
      if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return null;
      const a = elementsOf(ev).find((el) => el.tagName === "A" && el.hasAttribute("href"));
      if (!a || !navigates(a)) return null;
      if ((a.target && a.target !== "_self") || a.hasAttribute("download")) return null;
      const url = new URL(a.href, location.href);
      if (url.origin !== location.origin) return null;
      if (url.hash && samePage(url.href, location.href)) return null; // an anchor of this page
      return url;
    }

    // Whether cf-navigate applies to *el* (on it or an ancestor; cf-navigate="false" opts out).
    const navigates = (el) => {
      const scope = el.closest("[cf-navigate]");
      return Boolean(scope) && scope.getAttribute("cf-navigate") !== "false";
    };

    document.addEventListener("click", (ev) => {
      const url = navigableLink(ev);
      if (!url) return;
      ev.preventDefault();
      visit(url.href);
    });

    // <form method="get" cf-navigate>: its query goes by live navigation.
    document.addEventListener("submit", (ev) => {
      const form = ev.target;
      if (ev.defaultPrevented || !form || form.tagName !== "FORM" || !navigates(form)) return;
      if ((form.getAttribute("method") || "get").toLowerCase() !== "get") return;
      const url = new URL(form.getAttribute("action") || location.href, location.href);
      url.search = new URLSearchParams(new FormData(form, ev.submitter)).toString();
      ev.preventDefault();
      visit(url.href);
    });

    // cf-prefetch (on a cf-navigate link or an ancestor): fetched on hover intent (65 ms) or
    // touch, kept 10 s for the click.
    let intent = null;
    function prefetchable(ev) {
      const a = ev.target.closest && ev.target.closest("a[href]");
      if (!a || !navigates(a) || !a.closest("[cf-prefetch]")) return null;
      const url = new URL(a.href, location.href);
      return url.origin === location.origin && !samePage(url.href, location.href) ? url.href : null;
    }
    document.addEventListener("mouseover", (ev) => {
      const href = prefetchable(ev);
      if (!href) return;
      clearTimeout(intent);
      intent = setTimeout(() => prefetch(href), 65);
    });
    document.addEventListener("mouseout", () => clearTimeout(intent));
    document.addEventListener("touchstart", (ev) => {
      const href = prefetchable(ev);
      if (href) prefetch(href);
    }, { passive: true });

    // The server's navigate effect: live navigation, carrying the flash messages it brings.
    function navigateEffect(root, { url, replace = false, flash = null }) {
      visit(url, { history: replace ? "replace" : "push", flash });
    }

    // The components with URL state present now: their snapshot is their first render.
    function startUrlRoots() {
      urlRoots().forEach((root) => {
        const d = data(root);
        if (d.snap) return;
        d.snap = {
          html: root.innerHTML,
          state: root.getAttribute("data-cf-state"),
          checksum: root.getAttribute("data-cf-checksum"),
        };
      });
    }

    function start() {
      startUrlRoots();
      const state = history.state && history.state.cf;
      entryId = (state && state.entry) || newId();
      const scroll = state && state.scroll;
      if (scroll) window.scrollTo(scroll[0], scroll[1]); // a reload of an entry cf.js made
      // A reload restores the scroll position of the entry as it was left.
      window.addEventListener("pagehide", () => {
        try { writeEntry("replace", { scroll: [window.scrollX, window.scrollY] }); } catch (e) { /* closing */ }
      });
    }

    return {
      effects: { navigate: navigateEffect, patch_url: patchUrl },
      api: {
        /** Go to *url* by live navigation ({replace: true} rewrites the current history entry). */
        navigate(url, { replace = false } = {}) { return visit(url, { history: replace ? "replace" : "push" }); },
        /** Fetch *url* now for a live navigation within 10 s. */
        prefetch(url) { return prefetch(url).then(() => undefined); },
      },
      start,
    };
  });
})();
