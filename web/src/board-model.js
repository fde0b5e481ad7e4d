/* board-model.js - what the staff board shows, as pure functions of the decoded table
 * states (no DOM, no MQTT): the queue's order, a tile's colour, which requests ring,
 * which requests a staff action sends a cmd for, how the hub's answer to `calls` fills
 * the board. tests/web/board-model.test.mjs runs
 * them in node; app.js and views.js use them in the browser.
 *
 * A classic script (see protocol.js for why); defines globalThis.CallbellBoardModel and
 * needs CallbellProtocol (protocol.js) loaded first.
 */
(function (root) {
  'use strict';

  var P = root.CallbellProtocol;

  /* "2" before "10", "patio-2" after "bar-9". */
  function naturalCompare(a, b) {
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
  }

  /* A board line's identity: the request id is unique per hub database. */
  function requestKey(tableId, request) {
    return tableId + '/' + request.call;
  }

  /* The queue: one line per open request. Unanswered requests first, then the
   * acknowledged ones (staff are on their way: a waiting guest must not be pushed down
   * by them); oldest first within each; ties by table, then request id. */
  function queueOrder(tables) {
    var lines = [];
    tables.forEach(function (st) {
      st.requests.forEach(function (r) { lines.push({ table: st.table, request: r }); });
    });
    lines.sort(function (a, b) {
      var ac = a.request.status === 'calling' ? 0 : 1;
      var bc = b.request.status === 'calling' ? 0 : 1;
      return (ac - bc) || (a.request.pressed_at - b.request.pressed_at) ||
        naturalCompare(a.table, b.table) || (a.request.call - b.request.call);
    });
    return lines;
  }

  /* The age class of one request at hub time `nowMs` (the one rule: P.ageClass). */
  function requestAge(request, nowMs, thresholds) {
    return P.ageClass(P.waitingSeconds(request.pressed_at, nowMs), request.status === 'acknowledged', thresholds);
  }

  /* A tile shows its most urgent request's class: late, then warn, then new, then
   * acked; '' for a table with nothing open. */
  var URGENCY = { late: 4, warn: 3, new: 2, acked: 1 };
  function tableAge(st, nowMs, thresholds) {
    var worst = '';
    st.requests.forEach(function (r) {
      var c = requestAge(r, nowMs, thresholds);
      if (!worst || URGENCY[c] > URGENCY[worst]) worst = c;
    });
    return worst;
  }

  /* What ringing a new state deserves, per request: 'new' for a request the board did
   * not have (by request id), 'realert' when its repeats grew (the hub re-alerts a
   * calling request and re-opens a forgotten acknowledged one). `prev` may be null. */
  function alerts(prev, next) {
    var before = new Map();
    if (prev) prev.requests.forEach(function (r) { before.set(r.call, r); });
    var out = [];
    next.requests.forEach(function (r) {
      if (r.status !== 'calling') return;
      var old = before.get(r.call);
      if (!old) out.push({ request: r, alert: 'new' });
      else if (r.repeats > old.repeats || old.status === 'acknowledged') out.push({ request: r, alert: 'realert' });
    });
    return out;
  }

  /* The requests a staff action on the whole table sends one cmd each for: ack the
   * calling ones (an acknowledged one has someone on the way already), done all. */
  function tableTargets(st, action) {
    return st.requests.filter(function (r) { return action === 'done' || r.status === 'calling'; });
  }

  /* What tapping a tile does: acknowledge while anything calls, else done. */
  function tableAction(st) {
    if (st.status === 'calling') return 'ack';
    if (st.status === 'acknowledged') return 'done';
    return null;
  }

  /* ---- the start-up view from the hub (docs/protocol.md "Boards' start-up view") ----
   * The board asks the hub `calls` on every connect and when the hub comes online, and
   * orders the answer with the state messages by the hub's clock (P.viewTakes). */

  /* The request payload (docs/protocol.md "request / reply"). */
  function buildCallsRequest(id, replyTo) {
    if (!P.isId(id)) throw new Error('bad_id');
    return JSON.stringify({ v: 1, id: id, query: 'calls', reply_to: replyTo });
  }

  function byAge(a, b) { return (a.pressed_at - b.pressed_at) || (a.call - b.call); }

  /* The hub's answer to calls request `id`: null when `text` is not that answer (a cmd
   * reply, another request's answer); {ok:false, error} for a refusal or a broken
   * answer; else {ok:true, at, states}: a state per table with open requests, dated
   * `at`, each read back by the state's own decoder (P.decodeState). */
  function decodeCallsAnswer(text, id) {
    var o;
    try { o = JSON.parse(text); } catch (e) { return null; }
    if (!o || typeof o !== 'object' || o.id !== id) return null;
    if (o.ok !== true) return { ok: false, error: typeof o.error === 'string' ? o.error : 'refused' };
    if (!Array.isArray(o.result) || !Number.isSafeInteger(o.at) || o.at < 0) return { ok: false, error: 'type' };
    var tables = new Map();
    for (var i = 0; i < o.result.length; i++) {
      var x = o.result[i];
      if (!x || typeof x !== 'object' || typeof x.table !== 'string') return { ok: false, error: 'type' };
      var t = tables.get(x.table);
      if (!t) { t = { v: 1, table: x.table, status: 'idle', requests: [], updated_at: o.at }; tables.set(x.table, t); }
      if (x.section !== undefined) t.section = x.section;
      var r = { kind: x.kind, call: x.call, status: x.status, count: x.count, repeats: x.repeats, pressed_at: x.pressed_at,
        acked_by: x.acked_by, acked_at: x.acked_at };
      if (x.level !== undefined) r.level = x.level;
      t.requests.push(r);
    }
    var states = [];
    var bad = '';
    tables.forEach(function (t) {
      if (bad) return;
      t.requests.sort(byAge);
      t.status = P.tableStatus(t.requests);
      var d = P.decodeState(JSON.stringify(t));
      if (d.ok) states.push(d.value);
      else bad = d.error;
    });
    return bad ? { ok: false, error: bad } : { ok: true, at: o.at, states: states };
  }

  /* What a board sets for a state message `st` of a table it shows as `prev` (null:
   * unknown), having applied an answer dated `answerAt` (0: none): `st` itself; null
   * (ignored) when it is older than `prev`; for an unknown table, a state older than
   * the answer becomes idle at `answerAt` (the answer lists every open request). */
  function takeState(prev, st, answerAt) {
    if (P.viewTakes('state', st.updated_at, prev ? prev.updated_at : answerAt)) return st;
    if (prev) return null;
    var idle = { table: st.table, status: 'idle', requests: [], updated_at: answerAt };
    if (st.section !== undefined) idle.section = st.section;
    return idle;
  }

  /* Applies a decoded answer to `tables` (table id -> state, changed in place): each
   * table whose version (its state's updated_at) is older than the answer takes the
   * answer's requests (none: idle) dated `at`; a table the answer lists that the
   * board did not know is added. Returns [{prev, next}] of the tables it set. */
  function applyCallsAnswer(tables, answer) {
    var listed = new Map();
    answer.states.forEach(function (st) { listed.set(st.table, st); });
    var set = [];
    tables.forEach(function (prev, id) {
      if (!P.viewTakes('snapshot', answer.at, prev.updated_at)) return;
      var a = listed.get(id);
      var next = { table: id, status: a ? a.status : 'idle', requests: a ? a.requests : [], updated_at: answer.at };
      var section = a && a.section !== undefined ? a.section : prev.section;
      if (section !== undefined) next.section = section;
      tables.set(id, next);
      set.push({ prev: prev, next: next });
    });
    listed.forEach(function (st, id) {
      if (tables.has(id)) return;
      tables.set(id, st);
      set.push({ prev: null, next: st });
    });
    return set;
  }

  /* 0:07, 12:30, 1:02:03 */
  function fmtDuration(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    var mm = h ? String(m).padStart(2, '0') : String(m);
    return (h ? h + ':' : '') + mm + ':' + String(sec).padStart(2, '0');
  }

  root.CallbellBoardModel = {
    naturalCompare: naturalCompare,
    requestKey: requestKey,
    queueOrder: queueOrder,
    requestAge: requestAge,
    tableAge: tableAge,
    alerts: alerts,
    tableTargets: tableTargets,
    tableAction: tableAction,
    buildCallsRequest: buildCallsRequest,
    decodeCallsAnswer: decodeCallsAnswer,
    applyCallsAnswer: applyCallsAnswer,
    takeState: takeState,
    fmtDuration: fmtDuration
  };
})(typeof globalThis !== 'undefined' ? globalThis : this);
