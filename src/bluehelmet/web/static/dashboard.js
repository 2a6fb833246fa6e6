// Draws every chart of a server-rendered page with Vega-Embed (served by this app).
// Each chart's spec sits in a <script type="application/json"> beside its container.
const started = performance.now();

async function drawChart(el) {
  const spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
  await window.vegaEmbed(el, spec, { actions: false, renderer: "svg", logLevel: window.vega.Error });
  el.dataset.rendered = "true";
}

async function drawAll() {
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
  window.bluehelmetRenderMs = performance.now() - started;
}

drawAll();
