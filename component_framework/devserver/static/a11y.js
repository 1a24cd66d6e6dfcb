// cf dev playground: the accessibility panel. axe-core (vendored, /__cf__/static/axe.min.js)
// runs in the preview frame over the component; each violation lists the elements that break
// it, and pointing at one outlines it in the frame. After a check, every re-render checks again.
(function () {
  "use strict";

  const OPTIONS = { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } };
  const OUTLINE = "3px solid #e11d48";

  window.CfA11y = function (frame, DEV) {
    const $ = (id) => document.getElementById(id);
    const button = $("cf-a11y-run"), status = $("cf-a11y-status"), list = $("cf-a11y-list");
    if (!button) return;
    let active = false, running = null, again = false, marked = null;

    function loadAxe(win) {
      if (win.axe) return Promise.resolve(win.axe);
      return new Promise((resolve, reject) => {
        const script = win.document.createElement("script");
        script.src = DEV + "/static/axe.min.js";
        script.onload = () => resolve(win.axe);
        script.onerror = () => reject(new Error("axe-core did not load"));
        win.document.head.appendChild(script);
      });
    }

    function highlight(element) {
      if (marked) { marked.el.style.outline = marked.outline; marked.el.removeAttribute("data-cf-a11y-highlight"); }
      marked = null;
      if (!element) return;
      marked = { el: element, outline: element.style.outline };
      element.style.outline = OUTLINE;
      element.setAttribute("data-cf-a11y-highlight", "");
      element.scrollIntoView({ block: "nearest" });
    }

    function show(violations, doc) {
      list.textContent = "";
      violations.forEach((v) => {
        const item = document.createElement("li");
        item.className = "cf-a11y-violation";
        item.setAttribute("data-rule", v.id);
        const head = document.createElement("div");
        const rule = document.createElement("a");
        rule.href = v.helpUrl; rule.target = "_blank"; rule.rel = "noreferrer"; rule.textContent = v.id;
        head.appendChild(rule);
        head.appendChild(document.createTextNode(" (" + (v.impact || "minor") + "): " + v.help));
        item.appendChild(head);
        v.nodes.forEach((node) => {
          const target = node.target.join(" ");
          const where = document.createElement("button");
          where.type = "button";
          where.className = "cf-a11y-target cf-secondary";
          where.textContent = target;
          where.title = node.failureSummary || "";
          const element = () => { try { return doc.querySelector(target); } catch (e) { return null; } };
          where.addEventListener("mouseenter", () => highlight(element()));
          where.addEventListener("focus", () => highlight(element()));
          where.addEventListener("click", () => highlight(element()));
          item.appendChild(where);
        });
        list.appendChild(item);
      });
    }

    function check() {
      if (running) { again = true; return running; }
      const win = frame.contentWindow, doc = frame.contentDocument;
      if (!win || !doc) return Promise.resolve();
      status.textContent = "checking…";
      highlight(null);
      running = loadAxe(win).then((axe) => {
        const roots = Array.from(doc.querySelectorAll("[data-cf-component]"));
        return axe.run(roots.length ? { include: roots } : doc, OPTIONS);
      }).then((result) => {
        show(result.violations, doc);
        const count = result.violations.length;
        status.textContent = count ? count + " violation" + (count > 1 ? "s" : "") : "No violations";
        document.body.setAttribute("data-dev-a11y", String(count));
      }, (error) => { status.textContent = String(error); }).then(() => {
        running = null;
        if (again) { again = false; return check(); }
      });
      return running;
    }

    button.addEventListener("click", () => { active = true; check(); });
    // Once asked for, the check follows the component: after reloads, events and new frames.
    document.addEventListener("cf:dev-rendered", () => { if (active) check(); });
    frame.addEventListener("load", () => { marked = null; if (active) check(); });
    this.check = check;
    this.onUpdate = () => { if (active) check(); };
  };
})();
