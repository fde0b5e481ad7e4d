/* reports.js - the reports view: asks the hub for the report by hour and by day
 * (reports-model.js builds the question), draws response times with uPlot and offers
 * each as the CSV of `callbell report --csv`.
 *
 * ?since=2026-11-20&until=2026-11-21 (days included, local time) picks the range; by
 * default the last 7 days. Connection settings as on the board (settings.js).
 */
(function () {
  'use strict';

  var R = window.CallbellReports;
  var P = window.CallbellProtocol;
  var settings = window.CallbellSettings.load();
  var ANSWER_MS = 8000;
  var client = null;
  var clientId = 'report-' + Math.random().toString(16).slice(2, 10).padEnd(8, '0');
  var pending = {}; /* request id -> {by, timer} */
  var reports = {}; /* by -> result */
  var charts = {};
  var seq = 0;

  function $(id) { return document.getElementById(id); }

  function setConn(state, text) {
    $('conn').dataset.state = state;
    document.body.dataset.conn = state;
    $('conn-text').textContent = text;
  }

  function isoDay(d) {
    return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
  }

  function initRange() {
    var q = new URLSearchParams(location.search);
    var today = new Date();
    var weekAgo = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6);
    $('since').value = q.get('since') || isoDay(weekAgo);
    $('until').value = q.get('until') || '';
  }

  function showError(text) { $('report-error').textContent = text || ''; }

  function ask(by) {
    var since = R.dayStartMs($('since').value, 0);
    var until = $('until').value ? R.dayStartMs($('until').value, 1) : 0;
    if (!since) { showError('Choose the first day.'); return; }
    if (until && until <= since) { showError('The last day is before the first.'); return; }
    var id = 'rep' + (++seq);
    var payload = R.buildRequest(id, P.topicFor('reply', settings.site, clientId), since, until, by);
    pending[id] = {
      by: by,
      timer: setTimeout(function () {
        delete pending[id];
        showError('No answer from the hub (is `callbell hub` running for site ' + settings.site + '?).');
      }, ANSWER_MS)
    };
    client.publish('callbell/' + settings.site + '/hub/request', payload, { qos: 1 });
  }

  function refresh() {
    showError('');
    if (!client || !client.connected) { showError('Not connected to the broker.'); return; }
    ask('hour');
    ask('day');
  }

  function onReply(text) {
    for (var id in pending) {
      var a = R.decodeReply(text, id);
      if (!a) continue;
      clearTimeout(pending[id].timer);
      var by = pending[id].by;
      delete pending[id];
      if (!a.ok) { showError('The hub says: ' + a.error); return; }
      reports[by] = a.result;
      render(by);
      return;
    }
  }

  var SERIES = [
    { label: 'to acknowledge, p50', stroke: '#0284c7', width: 2 },
    { label: 'to acknowledge, p90', stroke: '#0284c7', width: 2, dash: [6, 4] },
    { label: 'to done, p50', stroke: '#059669', width: 2 },
    { label: 'to done, p90', stroke: '#059669', width: 2, dash: [6, 4] }
  ];

  function chartOptions(by, width) {
    var hour = by === 'hour';
    return {
      width: width,
      height: 240,
      padding: [16, 36, 0, 0], /* room for the last day's label */
      scales: { x: { time: !hour }, y: { range: function (u, min, max) { return [0, Math.max(10, max * 1.1)]; } } },
      axes: [
        hour
          ? { incrs: [1, 2, 3, 6], values: function (u, ticks) { return ticks.map(function (t) { return String(t).padStart(2, '0') + 'h'; }); } }
          : { incrs: [86400, 2 * 86400, 7 * 86400, 28 * 86400], values: function (u, ticks) { return ticks.map(function (t) { return isoDay(new Date(t * 1000)); }); } },
        { label: 'seconds', values: function (u, ticks) { return ticks.map(function (t) { return t + ' s'; }); } }
      ],
      series: [{ label: hour ? 'hour' : 'day' }].concat(SERIES.map(function (s) {
        /* an hour without requests has no figure: the line goes from one with to the next */
        return Object.assign({ spanGaps: true, points: { show: true, size: 7 } }, s);
      }))
    };
  }

  function render(by) {
    var result = reports[by];
    var box = $('chart-' + by);
    if (charts[by]) { charts[by].destroy(); charts[by] = null; }
    box.textContent = '';
    if (!result.groups.length) {
      box.dataset.state = 'empty';
      box.textContent = 'No requests in this range.';
    } else {
      box.dataset.state = 'drawn';
      charts[by] = new window.uPlot(chartOptions(by, Math.max(280, box.clientWidth - 12)), R.toSeries(result), box);
    }
    $('csv-' + by).disabled = false;
    renderTable(by, result);
  }

  function cell(row, text, tag) {
    var c = document.createElement(tag || 'td');
    c.textContent = text;
    row.appendChild(c);
  }

  function fig(v) { return typeof v === 'number' ? v.toFixed(1) : '–'; }

  function renderTable(by, result) {
    var table = document.createElement('table');
    var head = table.insertRow();
    [by, 'requests', 'acked', 'done', 'cancelled', 'ack p50', 'ack p90', 'ack max', 'done p50', 'done p90', 'done max']
      .forEach(function (h) { cell(head, h, 'th'); });
    function line(label, o, total) {
      var r = table.insertRow();
      if (total) r.className = 'total';
      cell(r, label);
      ['calls', 'acked', 'done', 'cancelled'].forEach(function (k) { cell(r, String(o[k])); });
      ['ack_p50_s', 'ack_p90_s', 'ack_max_s', 'done_p50_s', 'done_p90_s', 'done_max_s'].forEach(function (k) { cell(r, fig(o[k])); });
    }
    result.groups.forEach(function (g) { line(g.key, g, false); });
    line('all', result.overall, true);
    var box = $('table-' + by);
    box.textContent = '';
    box.appendChild(table);
  }

  function download(by) {
    var result = reports[by];
    if (!result) return;
    var blob = new Blob([R.toCsv(result)], { type: 'text/csv' });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'callbell-' + settings.site + '-by-' + by + '-' + $('since').value + '.csv';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function connect() {
    $('site-name').textContent = settings.site;
    $('board-link').href = 'index.html' + location.search.replace(/[?&](since|until)=[^&]*/g, '').replace(/^&/, '?');
    if (!P.isId(settings.site)) { setConn('offline', 'Bad site'); return; }
    var opts = { clientId: clientId, clean: true, keepalive: 30, protocolVersion: 4, reconnectPeriod: 2000, connectTimeout: 8000 };
    if (settings.user) opts.username = settings.user;
    if (settings.pass) opts.password = settings.pass;
    try {
      client = window.mqtt.connect(settings.broker, opts);
    } catch (e) {
      setConn('offline', 'Bad URL');
      showError(String(e && e.message || e));
      return;
    }
    var replyTopic = P.topicFor('reply', settings.site, clientId);
    client.on('connect', function () {
      setConn('online', 'Live');
      client.subscribe(replyTopic, { qos: 1 }, function (err) {
        if (err) { showError('subscribe failed: ' + (err.message || err)); return; }
        refresh();
      });
    });
    client.on('close', function () { setConn('offline', 'Offline'); });
    client.on('message', function (topic, payload) {
      if (topic === replyTopic) onReply(new TextDecoder().decode(payload));
    });
  }

  $('range').addEventListener('submit', function (e) { e.preventDefault(); refresh(); });
  $('csv-hour').addEventListener('click', function () { download('hour'); });
  $('csv-day').addEventListener('click', function () { download('day'); });
  initRange();
  connect();
})();
