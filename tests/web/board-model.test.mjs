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
