// Ketnap dashboards: draw every <canvas data-chart="name"> from the JSON of #targets-charts with Chart.js.
// The numbers are also in a table beside each chart (screen readers, printing, Excel).
(function () {
  "use strict";
  var COLORS = ["#206bc4", "#d63939", "#2fb344", "#f59f00", "#ae3ec9", "#17a2b8"];
  function fmt(value, percent) {
    if (value === null || value === undefined) return "—";
    var text = percent ? value.toFixed(1) : String(Math.round(value));
    text = text.replace(".", ",");
    if (!percent) text = text.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return percent ? text + "%" : text;
  }
  function build(spec) {
    var horizontal = !!spec.horizontal;
    var datasets = spec.datasets.map(function (d, i) {
      var color = COLORS[i % COLORS.length];
      var set = { label: d.label, data: d.data, borderColor: color, backgroundColor: spec.type === "bar" ? color + "cc" : color,
                  borderWidth: spec.type === "bar" ? 0 : 2, pointRadius: spec.type === "line" ? 2 : 0, spanGaps: true };
      if (d.dashed) { set.borderDash = [4, 3]; set.borderColor = "#6c7a91"; set.backgroundColor = "#6c7a91"; }
      return set;
    });
    if (spec.target !== null && spec.target !== undefined && spec.type === "bar") {
      datasets.push({ type: "line", label: "Chỉ tiêu", data: spec.labels.map(function () { return spec.target; }),
                      borderColor: "#6c7a91", borderDash: [4, 3], borderWidth: 1, pointRadius: 0 });
    }
    var valueAxis = { beginAtZero: true, ticks: { callback: function (v) { return fmt(v, spec.percent); } } };
    if (spec.percent) valueAxis.suggestedMax = 100;
    var scales = horizontal ? { x: valueAxis, y: { ticks: { autoSkip: false } } }
                            : { y: valueAxis, x: { ticks: { maxRotation: 0, autoSkip: true } } };
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {
          legend: { display: spec.legend !== false && datasets.length > 1, position: "bottom", labels: { boxWidth: 10 } },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + fmt(ctx.parsed[horizontal ? "x" : "y"], spec.percent); } } }
        },
        scales: scales
      }
    };
  }
  function draw() {
    var source = document.getElementById("targets-charts");
    if (!source || typeof Chart === "undefined") return;
    var specs = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = specs[canvas.getAttribute("data-chart")];
      if (!spec || canvas.dataset.drawn) return;
      canvas.dataset.drawn = "1";
      new Chart(canvas, build(spec));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
