/*! cf-poll.js - cf.js's polling: a root with data-cf-poll="ms" asks for its component at that
 * interval (data-cf-poll-event: the event it sends; none: a render of its state). Load it after
 * cf.js, with {{ cf_scripts("poll") }} (an app with a polled component loads it unasked).
 */
(() => {
  "use strict";
  if (!window.cf || !window.cf.extend) {
    console.error("cf-poll.js: cf.js must be loaded before it, from the same release " +
      "({{ cf_scripts(\"poll\") }} writes both tags in order).");
    return;
  }

  // Each root polls on a timer of its own while it is on the page; a tick is skipped while the
  // tab is hidden (the first moment it is shown again polls at once), while one of its
  // requests is pending, before a lazy root is mounted, and while a live root is subscribed
  // (pushes keep it current: it polls only while its socket is down).
  window.cf.extend("poll", ({ ROOT, all, data, request }) => {
    function start(root) {
      const d = data(root);
      const ms = Number(root.getAttribute("data-cf-poll"));
      if (d.polling || !(ms > 0)) return;
      d.polling = true;
      const tick = () => {
        if (!root.isConnected) { d.polling = false; return; }
        setTimeout(tick, ms);
        if (document.hidden) { d.pollMissed = true; return; }
        poll(root);
      };
      setTimeout(tick, ms);
    }

    function poll(root) {
      const d = data(root);
      d.pollMissed = false;
      if (root.hasAttribute("data-cf-subscribed") || root.hasAttribute("data-cf-lazy")) return;
      if (d.pending && d.pending.length) return;
      request(root, { event: root.getAttribute("data-cf-poll-event") || null });
    }

    document.addEventListener("visibilitychange", () => {
      if (document.hidden) return;
      all(ROOT + "[data-cf-poll]").forEach((root) => { if (data(root).pollMissed) poll(root); });
    });

    const startAll = (scope) => {
      if (scope.matches && scope.matches(ROOT + "[data-cf-poll]")) start(scope);
      (scope === document ? all(ROOT + "[data-cf-poll]") : Array.from(scope.querySelectorAll(ROOT + "[data-cf-poll]")))
        .forEach(start);
    };

    return { start: () => startAll(document), enter: (el) => { startAll(el); } };
  });
})();
