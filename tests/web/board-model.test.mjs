// What the board shows, decided by web/src/board-model.js: the queue's order (waiting
// requests above acknowledged ones, oldest first), a tile's colour, which requests
// ring, and which requests a tap sends a cmd for. Runs in node on decoded states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScripts } from './load-protocol.mjs';

const ctx = loadScripts('protocol.js', 'board-model.js');
const M = ctx.CallbellBoardModel;
const P = ctx.CallbellProtocol;
const plain = (x) => JSON.parse(JSON.stringify(x));

const T0 = 1764140000000;
const req = (kind, call, pressedS, extra = {}) => ({ kind, call, status: 'calling', count: 1, repeats: 0,
  pressed_at: T0 + pressedS * 1000, acked_by: '', acked_at: 0, ...extra });
const acked = (r, by = 'Ana') => ({ ...r, status: 'acknowledged', acked_by: by, acked_at: r.pressed_at + 5000 });
/* a state through the real decoder, so the model only ever sees what the board would */
function state(table, requests) {
  const st = { v: 1, table, status: P.tableStatus(requests), requests, updated_at: T0 + 999000 };
  const r = P.decodeState(JSON.stringify(st));
  assert.equal(r.error, undefined, JSON.stringify(st));
  return r.value;
}
const tablesOf = (...states) => new Map(states.map((s) => [s.table, s]));
const order = (tables) => plain(M.queueOrder(tables)).map((x) => `${x.table}:${x.request.kind}`);

test('one queue line per open request, oldest first', () => {
  const t = tablesOf(state('3', [req('water', 1, 0), req('bill', 2, 10)]), state('1', [req('call', 3, 5)]), state('2', []));
  assert.deepEqual(order(t), ['3:water', '1:call', '3:bill']);
});

test('unanswered requests above acknowledged ones, each oldest first', () => {
  const t = tablesOf(
    state('3', [acked(req('water', 1, 0)), req('bill', 2, 30)]),
    state('1', [acked(req('call', 3, 10))]),
    state('10', [req('call', 4, 20)]),
    state('2', [req('water', 5, 20)]));
  // same pressed_at: table order is natural ("2" before "10")
  assert.deepEqual(order(t), ['2:water', '10:call', '3:bill', '3:water', '1:call']);
});

test('age classes: a request by the one rule, a tile by its most urgent request', () => {
  const now = T0 + 100000; // 100 s after T0
  const st = state('3', [acked(req('water', 1, -400)), req('bill', 2, 0), req('call', 3, 50)]);
  assert.deepEqual(plain(st.requests.map((r) => M.requestAge(r, now))), ['acked', 'warn', 'new']);
  assert.equal(M.tableAge(st, now), 'warn');
  assert.equal(M.tableAge(st, T0 + 180000), 'late');
  assert.equal(M.tableAge(state('3', [acked(req('water', 1, -400))]), now), 'acked');
  assert.equal(M.tableAge(state('3', []), now), '');
  assert.equal(M.tableAge(st, now, { warn_s: 200, late_s: 300 }), 'new'); // thresholds are honoured
  assert.equal(M.requestAge(req('call', 9, 5), T0), 'new'); // pressed "after" now: waited 0
});

test('which requests ring: new ones and re-alerts, never the same one twice', () => {
  const a = state('3', [req('water', 1, 0)]);
  assert.deepEqual(plain(M.alerts(null, a)).map((x) => [x.request.kind, x.alert]), [['water', 'new']]);
  const b = state('3', [req('water', 1, 0, { count: 2 }), req('bill', 2, 10)]);
  assert.deepEqual(plain(M.alerts(a, b)).map((x) => [x.request.kind, x.alert]), [['bill', 'new']], 'a second press of water does not ring');
  const c = state('3', [acked(req('water', 1, 0, { count: 2 })), req('bill', 2, 10, { repeats: 1 })]);
  assert.deepEqual(plain(M.alerts(b, c)).map((x) => [x.request.kind, x.alert]), [['bill', 'realert']]);
  // an acknowledged request the hub re-opens (ack timeout) rings as a reminder
  const d = state('3', [req('water', 1, 0, { count: 2, repeats: 1 }), req('bill', 2, 10, { repeats: 1 })]);
  assert.deepEqual(plain(M.alerts(c, d)).map((x) => [x.request.kind, x.alert]), [['water', 'realert']]);
  // closed and pressed again: a new request id rings as new
  const e = state('3', [req('water', 7, 50)]);
  assert.deepEqual(plain(M.alerts(d, e)).map((x) => [x.request.call, x.alert]), [[7, 'new']]);
  assert.equal(M.alerts(e, state('3', [])).length, 0);
});

test('a tap on a tile acks what calls, then closes everything', () => {
  const st = state('3', [acked(req('water', 1, 0)), req('bill', 2, 10)]);
  assert.equal(M.tableAction(st), 'ack');
  assert.deepEqual(plain(M.tableTargets(st, 'ack')).map((r) => r.call), [2]);
  const all = state('3', [acked(req('water', 1, 0)), acked(req('bill', 2, 10))]);
  assert.equal(M.tableAction(all), 'done');
  assert.deepEqual(plain(M.tableTargets(all, 'done')).map((r) => r.call), [1, 2]);
  assert.equal(M.tableAction(state('3', [])), null);
  assert.equal(M.requestKey('3', { call: 17 }), '3/17');
});

test('durations read as a clock', () => {
  assert.deepEqual([0, 7, 59, 60, 754, 3723].map(M.fmtDuration), ['0:00', '0:07', '0:59', '1:00', '12:34', '1:02:03']);
});

/* docs/protocol.md "Boards' start-up view" */
const AT = T0 + 5000;
const item = (table, r, extra = {}) => ({ table, kind: r.kind, call: r.call, status: r.status, count: r.count,
  repeats: r.repeats, level: 'floor', pressed_at: r.pressed_at, waiting_s: 1, acked_by: r.acked_by, acked_at: r.acked_at, ...extra });
const answerText = (id, at, items) => JSON.stringify({ v: 1, id, at, ok: true, result: items });

test('the calls request names the query and the reply topic', () => {
  assert.deepEqual(JSON.parse(M.buildCallsRequest('view-1', 'callbell/demo/reply/board-1')),
    { v: 1, id: 'view-1', query: 'calls', reply_to: 'callbell/demo/reply/board-1' });
  assert.throws(() => M.buildCallsRequest('View 1', 'callbell/demo/reply/board-1'), /bad_id/);
});

test('the hub\'s answer: not ours, refused, broken, or states per table oldest first', () => {
  assert.equal(M.decodeCallsAnswer(answerText('view-2', AT, []), 'view-1'), null);
  assert.equal(M.decodeCallsAnswer('{"v":1,"table":"3","action":"ack","call":1,"ok":true}', 'view-1'), null);
  assert.deepEqual(plain(M.decodeCallsAnswer('{"v":1,"id":"view-1","at":1,"ok":false,"error":"x"}', 'view-1')),
    { ok: false, error: 'x' });
  const two = [item('3', req('water', 1, 0)), item('3', req('water', 2, 1))]; /* two water requests: range */
  assert.deepEqual(plain(M.decodeCallsAnswer(answerText('view-1', AT, two), 'view-1')), { ok: false, error: 'range' });
  const a = M.decodeCallsAnswer(answerText('view-1', AT, [item('3', acked(req('bill', 2, 5))), item('5', req('call', 3, 2),
    { section: 'patio', level: 'section' }), item('3', req('water', 1, 0))]), 'view-1');
  assert.equal(a.ok, true);
  assert.equal(a.at, AT);
  const t3 = a.states.find((s) => s.table === '3');
  assert.deepEqual(plain(t3.requests.map((r) => r.kind)), ['water', 'bill']);
  assert.equal(t3.status, 'calling');
  assert.equal(t3.updated_at, AT);
  const t5 = a.states.find((s) => s.table === '5');
  assert.equal(t5.section, 'patio');
  assert.equal(t5.requests[0].level, 'section');
});

test('the answer replaces older views of a table, not newer ones; stale states lose to it', () => {
  const stale = { ...state('4', [req('bill', 99, 0)]), updated_at: T0 + 1000 };
  const newer = { ...state('6', [req('call', 7, 0)]), updated_at: AT }; /* of the answer's very ms */
  const tables = tablesOf(stale, newer);
  const a = M.decodeCallsAnswer(answerText('view-1', AT, [item('3', req('water', 1, 0))]), 'view-1');
  const set = M.applyCallsAnswer(tables, a);
  assert.deepEqual(plain(set.map((x) => x.next.table).sort()), ['3', '4']);
  assert.equal(tables.get('4').status, 'idle'); /* the hub has nothing open there */
  assert.equal(tables.get('4').updated_at, AT);
  assert.equal(tables.get('6').requests.length, 1); /* kept: a state may be newer than the answer */
  assert.equal(tables.get('3').requests[0].kind, 'water');
  /* the rule the board applies to every state (P.viewTakes): the stale copy, late, loses */
  assert.equal(P.viewTakes('state', stale.updated_at, tables.get('4').updated_at), false);
  assert.equal(P.viewTakes('state', AT, tables.get('4').updated_at), true);
});

test('a state older than the answer: ignored for a known table, idle for an unknown one', () => {
  const shown = { ...state('3', [req('water', 1, 0)]), updated_at: AT };
  const stale = { ...state('3', [req('water', 1, 0)]), updated_at: AT - 1 };
  assert.equal(M.takeState(shown, stale, AT), null);
  const tie = { ...stale, updated_at: AT }; /* of the answer's very millisecond: taken */
  assert.equal(M.takeState(shown, tie, AT), tie);
  const fresh = { ...stale, updated_at: AT + 1 };
  assert.equal(M.takeState(shown, fresh, AT), fresh);
  /* table 4 unknown (no retained idle state reached us): learnt, idle, as the answer had it */
  const ghost = { ...state('4', [req('bill', 99, 0)]), updated_at: T0 + 1000, section: 'patio' };
  assert.deepEqual(plain(M.takeState(null, ghost, AT)), { table: '4', status: 'idle', requests: [], updated_at: AT, section: 'patio' });
  assert.equal(M.takeState(null, ghost, 0), ghost); /* no answer yet: taken as it is */
});
