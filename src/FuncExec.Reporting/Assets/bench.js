// Draws the benchmark matrix page's chart from the JSON in #bench-data with Apache ECharts (inlined above):
// throughput against workers, one line per clients count.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('bench-data').textContent);
  var chart = echarts.init(document.getElementById('bench-chart'), null, { renderer: 'canvas' });
  chart.setOption({
    animation: false,
    grid: { left: 72, right: 24, top: 40, bottom: 48 },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: function (v) { return v == null ? '-' : Math.round(v).toLocaleString('en-US') + ' tasks/s'; }
    },
    xAxis: { type: 'category', name: 'workers', nameLocation: 'middle', nameGap: 28, data: data.workers.map(String) },
    yAxis: { type: 'value', name: 'tasks/s', min: 0 },
    series: data.series.map(function (s) {
      return { id: 'clients-' + s.clients, name: s.name, type: 'line', symbolSize: 8, connectNulls: false, data: s.points };
    })
  });
  window.addEventListener('resize', function () { chart.resize(); });
  // Tests (headless Chromium) wait for this.
  document.body.setAttribute('data-charts-ready', '1');
})();
