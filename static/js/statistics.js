// The statistics page's charts: one per canvas[data-chart], drawn with the vendored Chart.js from the numbers the
// page printed in #statistics-charts (the same numbers as the table under each chart).
(function () {
  "use strict";
  var source = document.getElementById("statistics-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997", "#ffc107", "#6c757d",
                 "#0dcaf0", "#d63384"];
  var charts = JSON.parse(source.textContent);
  charts.forEach(function (chart) {
    var canvas = document.querySelector('canvas[data-chart="' + chart.key + '"]');
    if (!canvas) {
      return;
    }
    var pie = chart.type === "pie";
    var stacked = chart.type === "stacked";
    var datasets = chart.datasets.map(function (dataset, index) {
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: pie ? dataset.data.map(function (_, i) { return palette[i % palette.length]; })
                             : palette[index % palette.length]
      };
    });
    new window.Chart(canvas, {
      type: pie ? "pie" : "bar",
      data: { labels: chart.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: "vi-VN",
        plugins: { legend: { display: pie || datasets.length > 1, position: pie ? "right" : "top" } },
        scales: pie ? {} : {
          x: { stacked: stacked, ticks: { autoSkip: false, maxRotation: 60 } },
          y: { stacked: stacked, beginAtZero: true }
        }
      }
    });
  });
})();
