// Draws the profile report's three charts from the JSON in #profile-data with Apache ECharts (inlined above).
// The three charts share their time axis (seconds since the profile began) and zoom together.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('profile-data').textContent);
  var palette = { 'succeeded': '#3ba272', 'failed': '#ee6666', 'timed-out': '#fc8452', 'cancelled': '#9a9a9a', 'killed': '#9a60b4' };
  var statusColors = data.statuses.map(function (s) { return palette[s] || '#5470c6'; });
  var charts = [];

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function secs(v) {
    var abs = Math.abs(v);
    return (abs >= 100 ? v.toFixed(0) : abs >= 1 ? v.toFixed(2) : v.toFixed(4)) + ' s';
  }

  function timeAxis() {
    return { type: 'value', name: 's', min: 0, max: data.end, axisLabel: { showMaxLabel: false, formatter: function (v) { return +v.toFixed(6); } } };
  }

  function zoom(extra) {
    var list = [
      { id: 'x-inside', type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' },
      { id: 'x-slider', type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', height: 18, bottom: 8 }
    ];
    return extra ? list.concat(extra) : list;
  }

  function make(id, option) {
    var element = document.getElementById(id);
    var chart = echarts.init(element, null, { renderer: 'canvas' });
    chart.group = 'profile';
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  // Throughput: tasks finished per second in each bin, drawn as steps over the bins.
  var bins = data.throughput.points.slice();
  if (bins.length > 0) {
    bins.push([bins[bins.length - 1][0] + data.throughput.binSeconds, bins[bins.length - 1][1]]);
  }
  make('throughput-chart', {
    animation: false,
    grid: { left: 64, right: 24, top: 28, bottom: 64 },
    tooltip: { trigger: 'axis', valueFormatter: function (v) { return (+v).toFixed(2) + ' tasks/s'; } },
    xAxis: timeAxis(),
    yAxis: { type: 'value', name: 'tasks/s' },
    dataZoom: zoom(),
    series: [{ id: 'throughput', name: 'throughput', type: 'line', step: 'end', symbol: 'none', areaStyle: { opacity: 0.25 }, data: bins }]
  });

  // Worker timeline (Gantt): one row per worker, one bar per task (or per merged run of tasks), colored by status.
  var gantt = data.gantt;
  var rows = data.workers.length;
  var ganttElement = document.getElementById('gantt-chart');
  ganttElement.style.height = Math.min(Math.max(rows * 22 + 110, 180), 680) + 'px';
  var manyRows = rows * 22 > 560;
  make('gantt-chart', {
    animation: false,
    grid: { left: 150, right: manyRows ? 48 : 24, top: 16, bottom: 64 },
    tooltip: {
      trigger: 'item',
      formatter: function (p) {
        if (p.seriesId === 'deaths') {
          var death = data.deaths[p.dataIndex];
          return '<b>' + esc(data.workers[death[0]]) + '</b> died at ' + secs(death[1]) + '<br>' + esc(death[2]);
        }
        var bar = gantt.bars[p.dataIndex];
        var name = gantt.names[p.dataIndex];
        var lines = [];
        if (bar[6] === 1) {
          lines.push('<b>' + esc(name === null ? 'task' : name) + '</b> (id ' + bar[4] + ')');
          lines.push('status: ' + esc(data.statuses[bar[3]]));
        } else {
          lines.push('<b>' + bar[6] + ' tasks</b> (ids ' + bar[4] + '–' + bar[5] + '), merged');
          lines.push(bar[7] === 0 ? 'all succeeded' : bar[7] + ' did not succeed; worst: ' + esc(data.statuses[bar[3]]));
        }
        lines.push('worker: ' + esc(data.workers[bar[0]]));
        lines.push(secs(bar[1]) + ' → ' + secs(bar[2]) + ' (' + secs(bar[2] - bar[1]) + ')');
        return lines.join('<br>');
      }
    },
    xAxis: timeAxis(),
    yAxis: { type: 'category', data: data.workers, inverse: true, axisLabel: { width: 140, overflow: 'truncate' } },
    dataZoom: zoom(manyRows ? [{ id: 'y-slider', type: 'slider', yAxisIndex: 0, right: 8, width: 16, filterMode: 'weakFilter', startValue: 0, endValue: 24 }] : null),
    series: [
      {
        id: 'tasks',
        name: 'tasks',
        type: 'custom',
        encode: { x: [1, 2], y: 0 },
        data: gantt.bars,
        renderItem: function (params, api) {
          var row = api.value(0);
          var start = api.coord([api.value(1), row]);
          var end = api.coord([api.value(2), row]);
          var height = api.size([0, 1])[1] * 0.7;
          var shape = echarts.graphic.clipRectByRect(
            { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 1), height: height },
            { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
          return shape && { type: 'rect', shape: shape, style: { fill: statusColors[api.value(3)] } };
        }
      },
      {
        id: 'deaths',
        name: 'worker died',
        type: 'custom',
        encode: { x: 1, y: 0 },
        data: data.deaths.map(function (d) { return [d[0], d[1]]; }),
        renderItem: function (params, api) {
          var at = api.coord([api.value(1), api.value(0)]);
          var height = api.size([0, 1])[1] * 0.9;
          if (at[0] < params.coordSys.x || at[0] > params.coordSys.x + params.coordSys.width) {
            return null;
          }
          return { type: 'rect', shape: { x: at[0] - 1.5, y: at[1] - height / 2, width: 3, height: height }, style: { fill: '#8b0000' } };
        }
      }
    ]
  });

  // Queue length and busy workers over time, from the samples.
  make('queue-chart', {
    animation: false,
    grid: { left: 64, right: 64, top: 36, bottom: 64 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: timeAxis(),
    // Workers on their own axis: a queue of thousands would otherwise flatten them to the floor.
    yAxis: [{ type: 'value', name: 'tasks', minInterval: 1 }, { type: 'value', name: 'workers', minInterval: 1, splitLine: { show: false } }],
    dataZoom: zoom(),
    series: [
      { id: 'queued', name: 'queued tasks', type: 'line', step: 'end', symbol: 'none', areaStyle: { opacity: 0.2 },
        data: data.queue.map(function (s) { return [s[0], s[1]]; }) },
      { id: 'busy', name: 'busy workers', type: 'line', step: 'end', symbol: 'none', yAxisIndex: 1,
        data: data.queue.map(function (s) { return [s[0], s[2]]; }) },
      { id: 'workers', name: 'workers', type: 'line', step: 'end', symbol: 'none', yAxisIndex: 1, lineStyle: { type: 'dashed', width: 1 },
        data: data.queue.map(function (s) { return [s[0], s[3]]; }) }
    ]
  });

  echarts.connect('profile');
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
  document.body.setAttribute('data-charts-ready', String(charts.length));
}());
