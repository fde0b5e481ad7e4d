/* reports-model.js - the reports view's words with the hub, without the DOM.
 *
 * The numbers are the hub's (docs/protocol.md "request / reply": report); this file
 * asks for them, turns a report into the series the charts draw, and writes the CSV
 * that `callbell report --csv` writes (apps/callbell/cmd_report.c), byte for byte:
 * tests/web/reports.test.mjs downloads both and compares them.
 *
 * A classic script (see protocol.js); defines globalThis.CallbellReports.
 */
(function (root) {
  'use strict';

  var GROUPINGS = ['table', 'kind', 'staff', 'hour', 'day', 'section'];
  var COUNTS = ['calls', 'acked', 'done', 'cancelled'];
  var FIGURES = ['ack_p50_s', 'ack_p90_s', 'ack_max_s', 'done_p50_s', 'done_p90_s', 'done_max_s'];
  var CSV_HEADER = 'group,key,requests,acknowledged,done,cancelled,' + FIGURES.join(',');

  /* The request payload; since/until in ms (until 0 or absent: no end), by one of
   * GROUPINGS or '' (overall only). Keys in the order of docs/protocol.md. */
  function buildRequest(id, replyTo, since, until, by) {
    if (by && GROUPINGS.indexOf(by) < 0) throw new Error('report: unknown grouping ' + by);
    var o = { v: 1, id: id, query: 'report' };
    if (since) o.since = since;
    if (until) o.until = until;
    if (by) o.by = by;
    o.reply_to = replyTo;
    return JSON.stringify(o);
  }

  /* A reply payload for request `id`: {ok:true, result} / {ok:false, error} / null
   * when it answers another request or is not a reply at all. */
  function decodeReply(text, id) {
    var o;
    try { o = JSON.parse(text); } catch (e) { return null; }
    if (!o || typeof o !== 'object' || o.id !== id) return null;
    if (o.ok === true && o.result && typeof o.result === 'object' && o.result.overall) {
      return { ok: true, result: o.result };
    }
    return { ok: false, error: typeof o.error === 'string' ? o.error : 'the hub sent no report' };
  }

  /* RFC 4180, and a leading ' before = + - @ (no formula from a staff name): the
   * rule of cmd_report.c's csv_field. */
  function csvField(s) {
    var formula = /^[=+\-@]/.test(s);
    if (!formula && !/[,"\r\n]/.test(s)) return s;
    return '"' + (formula ? "'" : '') + s.replace(/"/g, '""') + '"';
  }

  function figure(v) { return typeof v === 'number' ? v.toFixed(1) : ''; }
  function count(v) { return typeof v === 'number' ? String(Math.trunc(v)) : '0'; }

  function csvRow(group, key, o) {
    var cells = [csvField(group), csvField(key)];
    COUNTS.forEach(function (k) { cells.push(count(o[k])); });
    FIGURES.forEach(function (k) { cells.push(figure(o[k])); });
    return cells.join(',') + '\n';
  }

  /* The CSV of a report result (the same text as `callbell report --csv`). */
  function toCsv(result) {
    var out = CSV_HEADER + '\n';
    (result.groups || []).forEach(function (g) { out += csvRow(result.by || '', String(g.key), g); });
    return out + csvRow('all', '', result.overall || {});
  }

  /* uPlot data for a report by hour (x: 0..23, every hour, gaps as null) or by day
   * (x: local midnight in seconds, one point per day with requests):
   * [x, ack p50, ack p90, done p50, done p90]. */
  function toSeries(result) {
    var groups = result.groups || [];
    var rows = [];
    if (result.by === 'hour') {
      var byHour = {};
      groups.forEach(function (g) { byHour[Number(g.key)] = g; });
      for (var h = 0; h < 24; h++) rows.push([h, byHour[h]]);
    } else {
      groups.forEach(function (g) {
        var p = String(g.key).split('-').map(Number);
        rows.push([new Date(p[0], p[1] - 1, p[2]).getTime() / 1000, g]);
      });
    }
    var keys = ['ack_p50_s', 'ack_p90_s', 'done_p50_s', 'done_p90_s'];
    var data = [rows.map(function (r) { return r[0]; })];
    keys.forEach(function (k) {
      data.push(rows.map(function (r) { return r[1] && typeof r[1][k] === 'number' ? r[1][k] : null; }));
    });
    return data;
  }

  /* A date input's value ("2026-11-20") as its local midnight in ms (`days` later:
   * the end of a day included is the next one's midnight), or 0. */
  function dayStartMs(value, days) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || '');
    return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (days || 0)).getTime() : 0;
  }

  root.CallbellReports = {
    GROUPINGS: GROUPINGS,
    CSV_HEADER: CSV_HEADER,
    buildRequest: buildRequest,
    decodeReply: decodeReply,
    csvField: csvField,
    toCsv: toCsv,
    toSeries: toSeries,
    dayStartMs: dayStartMs
  };
})(typeof window !== 'undefined' ? window : globalThis);
