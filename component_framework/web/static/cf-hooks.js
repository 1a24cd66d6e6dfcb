/*! cf-hooks.js - cf.js's hooks: the page's own JavaScript for an element,
 * cf-hook="Name" with cf.hooks.Name = {mounted, updated, destroyed, disconnected, reconnected}.
 * Load it after cf.js, with {{ cf_scripts("hooks") }}, or cf.js fetches it when a page first
 * has a cf-hook element.
 */
(() => {
  "use strict";
  if (!window.cf || !window.cf.extend) {
    console.error("cf-hooks.js: cf.js must be loaded before it, from the same release " +
      "({{ cf_scripts(\"hooks\") }} writes both tags in order).");
    return;
  }

  window.cf.extend("hooks", ({ all, data, own, rootOf, usesSocket }) => {
    const hookDefinitions = Object.create(null);
    const hooked = new Set(); // elements whose hook is mounted
    const awaitingHooks = new Set(); // elements whose hook is not defined yet

    // cf.hooks.Name = {...} (before or after the scripts load) mounts the elements waiting for it.
    const hooks = new Proxy(hookDefinitions, {
      set(target, name, definition) {
        target[name] = definition;
        awaitingHooks.forEach((el) => {
          if (el.getAttribute("cf-hook") !== name) return;
          awaitingHooks.delete(el);
          if (el.isConnected) mountHook(el);
        });
        return true;
      },
    });

    function callHook(el, step) {
      const hook = data(el).hook;
      const fn = hook && hook.instance[step];
      if (typeof fn !== "function") return;
      try { fn.call(hook.instance); }
      catch (e) { console.error(`cf.js: the ${hook.name} hook's ${step}() threw; the page goes on.`, e); }
    }

    function mountHook(el) {
      const name = el.getAttribute("cf-hook");
      const definition = hookDefinitions[name];
      if (!definition) { awaitingHooks.add(el); return; }
      const stops = [];
      const instance = Object.create(definition);
      Object.assign(instance, {
        el,
        // Send an event to the hook's component: checked by the server like any event.
        send: (event, payload) => window.cf.send(el, event, payload),
        // Receive the component's browser events: fn(detail, event), until the hook is destroyed.
        on(type, fn) {
          const root = rootOf(el);
          const listener = (e) => { if (e.target === root) fn.call(instance, e.detail, e); };
          root.addEventListener(type, listener);
          stops.push(() => root.removeEventListener(type, listener));
        },
      });
      data(el).hook = { name, instance, stops };
      hooked.add(el);
      callHook(el, "mounted");
    }

    function unmountHook(el) {
      const hook = data(el).hook;
      hooked.delete(el);
      if (!hook) return;
      callHook(el, "destroyed");
      hook.stops.forEach((stop) => stop());
      data(el).hook = null;
    }

    // The hooks of *root*'s elements: new ones mounted, kept ones told (updated), gone ones
    // destroyed.
    function startHooks(root, { updated }) {
      own(root, "[cf-hook]").forEach((el) => {
        const hook = data(el).hook;
        if (hook && hook.name === el.getAttribute("cf-hook")) {
          if (updated) callHook(el, "updated");
          return;
        }
        if (hook) unmountHook(el);
        mountHook(el);
      });
    }

    function swept() {
      hooked.forEach((el) => { if (!el.isConnected || !el.hasAttribute("cf-hook")) unmountHook(el); });
      awaitingHooks.forEach((el) => { if (!el.isConnected) awaitingHooks.delete(el); });
    }

    // The WebSocket dropped (disconnected) or came back (reconnected): hooks of its components.
    function connection(step) {
      hooked.forEach((el) => { const root = rootOf(el); if (root && usesSocket(root)) callHook(el, step); });
    }

    // The hooks defined before this script ran (cf.hooks.Name = ..., window.cfHooks) are kept.
    Object.assign(hooks, window.cf.hooks, window.cfHooks);

    return {
      api: { hooks },
      selector: "[cf-hook]",
      rendered: startHooks,
      swept,
      connection,
      // The elements cf.js started before this script ran get their hooks now.
      start: () => all("[cf-hook]").forEach((el) => { if (!data(el).hook && rootOf(el)) mountHook(el); }),
    };
  });
})();
