/*! cf-lazy.js - cf.js's lazy components: a root with data-cf-lazy holds a placeholder until
 * its component is mounted, right after the page loaded ("load") or once the root comes into
 * view ("visible"). Load it after cf.js, with {{ cf_scripts("lazy") }} (an app with a lazy
 * component loads it unasked).
 */
(() => {
  "use strict";
  if (!window.cf || !window.cf.extend) {
    console.error("cf-lazy.js: cf.js must be loaded before it, from the same release " +
      "({{ cf_scripts(\"lazy\") }} writes both tags in order).");
    return;
  }

  // The mount is a remount's message (the signed data-cf-mount): the server mounts the
  // component under the root's id. A live root subscribes once it is mounted (the core does
  // not subscribe a lazy one); a failed mount shows its error in the root, and is not retried.
  window.cf.extend("lazy", ({ ROOT, all, data, enqueue, transmit, apply, mountMessage, socket }) => {
    let views = null;

    function start(root) {
      const d = data(root);
      if (d.lazy) return;
      d.lazy = true;
      if (root.getAttribute("data-cf-lazy") !== "visible") {
        if (document.readyState === "complete") setTimeout(() => load(root), 0);
        else window.addEventListener("load", () => load(root), { once: true });
        return;
      }
      if (!views) {
        views = new IntersectionObserver((entries) => entries.forEach(({ target, isIntersecting }) => {
          if (isIntersecting) { views.unobserve(target); load(target); }
        }));
      }
      views.observe(root);
    }

    function load(root) {
      if (!root.isConnected || !root.hasAttribute("data-cf-lazy")) return;
      const url = root.hasAttribute("data-cf-url") ? location.search : null;
      const msg = mountMessage(root, url);
      root.removeAttribute("data-cf-lazy");
      root.setAttribute("aria-busy", "true");
      enqueue(root, () => transmit(root, msg, (reply) => apply(root, reply, { mounted: true })))
        .then((reply) => {
          root.removeAttribute("aria-busy");
          const ok = reply && reply.type === "component_update";
          if (ok && root.hasAttribute("data-cf-live") && socket.open) socket.subscribe(root);
        });
    }

    const startAll = (scope) => {
      if (scope.matches && scope.matches(ROOT + "[data-cf-lazy]")) start(scope);
      (scope === document ? all(ROOT + "[data-cf-lazy]") : Array.from(scope.querySelectorAll(ROOT + "[data-cf-lazy]")))
        .forEach(start);
    };

    return { start: () => startAll(document), enter: (el) => { startAll(el); } };
  });
})();
