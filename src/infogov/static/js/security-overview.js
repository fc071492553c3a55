// 信息安全总览 charts (ECharts, served by the platform). Data comes from the page's JSON data block;
// no inline script (CSP). Without ECharts the tables above carry the same figures.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var holder = document.getElementById("security-chart-data");
    if (!holder || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(holder.textContent);
    Array.prototype.forEach.call(document.querySelectorAll(".ig-chart"), function (c) { c.style.height = "260px"; });
    function pie(id, title, rows) {
      var el = document.getElementById(id);
      if (!el) { return; }
      window.echarts.init(el).setOption({
        title: { text: title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "60%", data: rows.map(function (r) { return { name: r[0], value: r[1] }; }) }]
      });
    }
    pie("chart-levels", "按安全保护等级", data.levels);
    pie("chart-evaluation", "三级以上系统等级测评", data.evaluation);
    var el = document.getElementById("chart-jurisdictions");
    if (el) {
      var rows = data.jurisdictions.slice(0, 12);
      window.echarts.init(el).setOption({
        title: { text: "按行政区域", left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), axisLabel: { rotate: 30 } },
        yAxis: { type: "value" },
        series: [
          { name: "信息系统", type: "bar", data: rows.map(function (r) { return r[1]; }) },
          { name: "未处置高风险", type: "bar", data: rows.map(function (r) { return r[2]; }) },
          { name: "整改逾期", type: "bar", data: rows.map(function (r) { return r[3]; }) }
        ]
      });
    }
  });
})();
