/*! cf-streams.js - cf.js's streams: lists kept out of a component's state, in the element
 * marked cf-stream="name", changed by the reply's (and pushes') stream effects.
 * Load it after cf.js, with {{ cf_scripts("streams") }} (an app whose components declare
 * streams loads it unasked).
 */
(() => {
  "use strict";
  if (!window.cf || !window.cf.extend) {
    console.error("cf-streams.js: cf.js must be loaded before it, from the same release " +
      "({{ cf_scripts(\"streams\") }} writes both tags in order).");
    return;
  }

  // The core keeps a cf-stream element's children through a morph (only a first render brings
  // them); this applies the stream effects. Each item is an element with a DOM id: an insert of
  // an id the page holds replaces it where it is, an update of an id it does not hold is
  // ignored (with a warning), a delete of one is nothing to do; beyond the limit an insert
  // drops items from the other end.
  window.cf.extend("streams", ({ data, own, morphNode, arrived, remove, leaving, rendered }) => {
    function stream(root, { stream: name, op, id = null, html = "", at = -1, limit = null }) {
      const box = own(root, '[cf-stream="' + CSS.escape(String(name)) + '"]')[0];
      if (!box) {
        console.warn(`cf.js: no cf-stream="${name}" element in ` +
          `${root.getAttribute("data-cf-component")}; its ${op} was ignored.`);
        return;
      }
      const scope = box.getRootNode();
      const found = id && scope.getElementById ? scope.getElementById(id) : null;
      const current = found && found.parentNode === box && !leaving(found) ? found : null;
      if (op === "reset") Array.from(box.children).forEach(remove);
      else if (op === "delete") { if (current) remove(current); }
      else if (op === "insert" || op === "update") {
        const template = document.createElement("template");
        template.innerHTML = html;
        const next = template.content.firstElementChild;
        if (!next) return;
        const ctx = { seq: data(root).applied || 0, added: [], ids: new WeakMap(), full: true };
        if (current) morphNode(current, next, ctx);
        else if (op === "update") {
          console.warn(`cf.js: stream ${name} has no item ${id} on this page; its update was ignored.`);
          return;
        } else {
          box.insertBefore(next, at === 0 ? box.firstChild : null);
          ctx.added.push(next);
        }
        arrived(ctx);
        if (!current && limit > 0) {
          const items = Array.from(box.children).filter((el) => !leaving(el));
          const extra = items.length - limit;
          if (extra > 0) (at === 0 ? items.slice(-extra) : items.slice(0, extra)).forEach(remove);
        }
      }
      rendered(root, { updated: true });
    }

    return { effects: { stream } };
  });
})();
