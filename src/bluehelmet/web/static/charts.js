// Charts of the dashboard, drawn with Vega-Embed (served by this app).
// Each chart's spec sits in a <script type="application/json"> beside its container.

export async function drawChart(el) {
  const spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
  const renderer = el.dataset.renderer === "canvas" ? "canvas" : "svg";
  // logLevel 1 is vega.Error: Vega-Lite's warnings stay out of the console
  const result = await window.vegaEmbed(el, spec, { actions: false, renderer, logLevel: 1 });
  window.bluehelmetViews = window.bluehelmetViews || {};
  window.bluehelmetViews[el.id] = result.view;
  labelChart(el, spec.description);
  el.dataset.rendered = "true";
}

// One accessible image per chart (an SVG or a canvas), named by the spec's description (which
// states the source and period); marks carry no roles of their own (the table holds the figures).
export function labelChart(el, description) {
  const svg = el.querySelector("svg, canvas");
  if (!svg) return;
  for (const node of svg.querySelectorAll("[role], [aria-roledescription]")) {
    node.removeAttribute("role");
    node.removeAttribute("aria-roledescription");
    node.removeAttribute("aria-label");
  }
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", description || "chart");
}

export async function drawAll() {
  const charts = [...document.querySelectorAll(".vega[data-spec]")];
  const results = await Promise.allSettled(charts.map(drawChart));
  let drawn = 0;
  results.forEach((result, i) => {
    if (result.status === "fulfilled") {
      drawn += 1;
    } else {
      const el = charts[i];
      el.dataset.rendered = "failed";
      el.textContent = "This chart could not be drawn: " + result.reason;
      console.error("chart", el.id, result.reason);
    }
  });
  document.body.dataset.chartsRendered = String(drawn);
  // milliseconds from the start of navigation to the last chart drawn (the benchmark reads it)
  window.bluehelmetRenderMs = performance.now();
}

