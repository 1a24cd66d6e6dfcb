// The Bars hook: the page's own JavaScript draws the chart inside an element the morph leaves
// alone (cf-ignore), from the data the server sends as "bars:data" browser events; a click
// on a bar sends the component's "pick" event.
cf.hooks.Bars = {
  mounted() {
    this.draw(JSON.parse(this.el.dataset.values));
    this.on("bars:data", (detail) => this.draw(detail.values));
    this.el.addEventListener("click", (event) => {
      const bar = event.target.closest("[data-index]");
      if (bar) this.send("pick", { index: Number(bar.dataset.index) });
    });
  },
  draw(values) {
    const highest = Math.max(1, ...values);
    this.el.replaceChildren(...values.map((value, index) => {
      const bar = document.createElement("button");
      bar.type = "button";
      bar.dataset.index = index;
      bar.style.height = `${(100 * value) / highest}%`;
      bar.setAttribute("aria-label", `Bar ${index + 1}: ${value}`);
      return bar;
    }));
  },
};
