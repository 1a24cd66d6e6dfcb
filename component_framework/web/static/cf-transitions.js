/*! cf-transitions.js - cf.js's enter and leave transitions (cf-transition) and the View
 * Transitions API around a morph (cf-view-transition). Load it after cf.js, with
 * {{ cf_scripts("transitions") }} (or cf.js fetches it on first use): until then, elements
 * appear, go and show at once.
 */
(() => {
  "use strict";
  if (!window.cf || !window.cf.extend) {
    console.error("cf-transitions.js: cf.js must be loaded before it, from the same release " +
      "({{ cf_scripts(\"transitions\") }} writes both tags in order).");
    return;
  }

  window.cf.extend("transitions", ({ data, own, hold, release, swept }) => {
    // How long *el*'s CSS transitions and animations run, in ms (0: none).
    function duration(el) {
      const style = getComputedStyle(el);
      const longest = (durations, delays) => {
        const d = durations.split(",").map(parseFloat), l = delays.split(",").map(parseFloat);
        return Math.max(0, ...d.map((x, i) => (x || 0) + (l[i % l.length] || 0)));
      };
      return 1000 * Math.max(longest(style.transitionDuration, style.transitionDelay),
        longest(style.animationDuration, style.animationDelay));
    }

    // cf-transition="fade": while it enters (or leaves) the element has the classes
    // fade-enter-active and fade-enter-from, then fade-enter-to from the next frame on, until
    // its CSS transition or animation ends; then *done*. Bare cf-transition: "cf-enter-...".
    function transition(el, phase, done) {
      const name = el.getAttribute("cf-transition") || "cf";
      const d = data(el);
      if (d.transition) d.transition(); // the one still running ends first
      const active = `${name}-${phase}-active`, from = `${name}-${phase}-from`;
      const to = `${name}-${phase}-to`;
      // Held: a render meanwhile does not cut the transition short.
      d.classes = [active, from];
      hold(el, "transition", () => { el.classList.add(...d.classes); });
      const ms = duration(el);
      let timer = null;
      const end = () => {
        clearTimeout(timer);
        d.transition = null;
        release(el, "transition");
        el.classList.remove(active, from, to);
        if (done) done();
      };
      if (!ms) return end();
      d.transition = end;
      void el.offsetWidth; // the start style is computed: the change below transitions
      el.classList.remove(from);
      el.classList.add(to);
      d.classes = [active, to];
      timer = setTimeout(end, ms);
    }

    // Show or hide *el* (cf-show) through its transition; false: not one of cf-transition's.
    function show(el, shown) {
      if (!el.hasAttribute("cf-transition")) return false;
      const d = data(el);
      d.shown = shown;
      if (shown) {
        if (!el.hidden && !d.transition) return true;
        el.hidden = false;
        transition(el, "enter");
      } else if (!el.hidden) {
        transition(el, "leave", () => { if (d.shown === false) el.hidden = true; });
      }
      return true;
    }

    // cf-view-transition in *root*'s render: the morph runs inside the View Transitions API
    // (where the browser has it).
    function around(root, finish) {
      if (typeof document.startViewTransition !== "function" || !own(root, "[cf-view-transition]").length) {
        return null;
      }
      return document.startViewTransition(finish).updateCallbackDone.catch((e) => console.error(e));
    }

    // Elements a morph added enter through their transition (theirs or their children's).
    function enter(node) {
      if (node.hasAttribute("cf-transition")) transition(node, "enter");
      node.querySelectorAll("[cf-transition]").forEach((el) => transition(el, "enter"));
    }

    // An element a morph removed leaves through its transition, then goes.
    function leave(node) {
      data(node).leaving = true;
      transition(node, "leave", () => { node.remove(); swept(); });
      return true;
    }

    return { enter, leave, show, around };
  });
})();
