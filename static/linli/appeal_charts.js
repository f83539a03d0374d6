// Appeal measures charts (ECharts, vendored): each [data-chart] element names its chart and
// the JSON it reads. No inline script (CSP); the tables on the page carry the same numbers.
(function () {
  const cache = {};
  function load(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
    }
    return cache[url];
  }
  function line(name, data, color) {
    return { name, type: "line", yAxisIndex: 1, data, connectNulls: true, itemStyle: { color }, lineStyle: { color } };
  }
  function trend(el, data) {
    const L = data.labels;
    const rate = (key) => data.trend.map((m) => m[key]);
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 40, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.trend.map((m) => m.month) },
      yAxis: [{ type: "value", name: L.volume, minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: L.volume, type: "bar", data: rate("volume"), itemStyle: { color: "#d9dde3" } },
        line(L.closure_rate, rate("closure_rate"), "#c0392b"),
        line(L.on_time_rate, rate("on_time_rate"), "#b54708"),
        line(L.satisfaction_rate, rate("satisfaction_rate"), "#1e7e34"),
      ],
    };
  }
  function ranking(el, data) {
    const rows = data.ranking.slice().sort((a, b) => (a.closure_rate ?? -1) - (b.closure_rate ?? -1));
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 110, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map((r) => r.name) },
      series: [{ name: data.labels.closure_rate, type: "bar", data: rows.map((r) => r.closure_rate), itemStyle: { color: "#c0392b" } }],
    };
  }
  const builders = { trend, ranking };
  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach((el) => {
      const build = builders[el.dataset.chart];
      if (!build) return;
      load(el.dataset.chartUrl).then((data) => {
        if (el.dataset.chart === "ranking") el.style.height = Math.max(200, data.ranking.length * 28 + 60) + "px";
        const chart = window.echarts.init(el);
        chart.setOption(build(el, data));
        window.addEventListener("resize", () => chart.resize());
        el.dataset.ready = "1";
      }).catch(() => { el.textContent = "—"; });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
