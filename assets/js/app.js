// 政研工作平台 — the little script the pages need. No inline script anywhere (CSP).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";

  // htmx requests carry the CSRF token in a header.
  document.addEventListener("htmx:configRequest", function (e) {
    if (token) { e.detail.headers["X-CSRF-Token"] = token; }
  });

  // Forms that change something important ask first: <form data-confirm="…">.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  }, true);

  // Selects that submit their form when changed: <select data-autosubmit>.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      if (window.htmx && el.form.hasAttribute("hx-get")) { window.htmx.trigger(el.form, "submit"); } else { el.form.submit(); }
    }
  });

  // Charts: <div class="chart" data-chart='{ECharts option}'> (ECharts is loaded only on pages that have charts).
  function drawCharts(root) {
    if (!window.echarts) { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      try {
        var chart = window.echarts.init(el);
        chart.setOption(JSON.parse(el.getAttribute("data-chart")));
        el.setAttribute("data-drawn", "1");
        window.addEventListener("resize", function () { chart.resize(); });
      } catch (err) { el.textContent = "图表数据有误"; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { drawCharts(e.target); });
})();
