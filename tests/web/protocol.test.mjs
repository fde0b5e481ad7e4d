// The web board's protocol decoder against the shared vectors (docs/protocol-vectors.json),
// the same file the C core's unit tests run: both sides must agree on every vector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadProtocol, repoRoot } from './load-protocol.mjs';

const P = loadProtocol();
const { vectors, checks } = JSON.parse(readFileSync(`${repoRoot}docs/protocol-vectors.json`, 'utf8'));

// Structured clone across the vm boundary, so deepStrictEqual compares plain objects.
const plain = (x) => JSON.parse(JSON.stringify(x));
const hexBytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));

test('vector file has every kind of vector', () => {
  for (const d of ['topic', 'press', 'press_reply', 'state', 'cmd', 'cmd_reply', 'info', 'site']) {
    assert.ok(vectors.filter((v) => v.decode === d).length >= 1, `no ${d} vector`);
  }
  assert.ok(vectors.some((v) => v.decode === 'cmd' && v.expect === 'ok' && 'from' in v.fields), 'no ok cmd vector with from');
  for (const ok of [true, false]) {
    assert.ok(vectors.some((v) => v.decode === 'cmd_reply' && v.expect === 'ok' && v.fields.ok === ok), `no ok cmd_reply vector with ok ${ok}`);
  }
  const states = vectors.filter((v) => v.decode === 'state' && v.expect === 'ok').map((v) => v.fields.requests.length);
  for (const n of [0, 1, 3]) assert.ok(states.includes(n), `no ok state with ${n} requests`);
  for (const c of ['name', 'age', 'waiting', 'rings', 'takes']) assert.ok(checks.some((v) => v.check === c), `no ${c} check`);
});

for (const [i, v] of vectors.entries()) {
  const decoder = P.decoders[v.decode];
  test(`vector #${i} ${v.decode} → ${v.expect}: ${JSON.stringify(v.input).slice(0, 90)}`, () => {
    assert.ok(decoder, `no web decoder for "${v.decode}"`);
    const r = plain(decoder(v.input));
    if (v.expect === 'ok') {
      assert.equal(r.error, undefined, `expected ok, got ${r.error}`);
      assert.deepStrictEqual(r.value, v.fields);
    } else {
      assert.equal(r.ok, false, `expected ${v.expect}, decoded ${JSON.stringify(r.value)}`);
      assert.equal(r.error, v.expect);
    }
  });
}

const runCheck = {
  name: (v) => P.checkName('input_hex' in v ? new Uint8Array(hexBytes(v.input_hex)) : v.input) ?? 'ok',
  age: (v) => {
    try {
      return P.ageClass(v.waiting_s, v.acknowledged, { warn_s: v.warn_s, late_s: v.late_s });
    } catch (e) {
      return e.message;
    }
  },
  waiting: (v) => P.waitingSeconds(v.pressed_at, v.now),
  rings: (v) => {
    try {
      return P.rings(v.level, v.section, v.me);
    } catch (e) {
      return e.message;
    }
  },
  takes: (v) => {
    try {
      return P.viewTakes(v.from, v.offered, v.shown);
    } catch (e) {
      return e.message;
    }
  },
};

for (const [i, v] of checks.entries()) {
  test(`check #${i} ${v.check} → ${v.expect}: ${JSON.stringify(v).slice(0, 100)}`, () => {
    assert.ok(runCheck[v.check], `no web check for "${v.check}"`);
    assert.equal(runCheck[v.check](v), v.expect);
  });
}

test('buildCmd output decodes back to the same command', () => {
  const cases = [
    ['ack', 'Ana', { kind: 'water', call: 17 }],
    ['done', 'Bo', undefined],
    ['done', 'Bo', { kind: 'bill' }],
    ['ack', 'José "J" Ñ', { call: 4294967296 }],
  ];
  for (const [action, by, target] of cases) {
    const payload = P.buildCmd(action, by, target);
    const r = plain(P.decodeCmd(payload));
    assert.equal(r.ok, true, payload);
    assert.deepStrictEqual(r.value, { action, by, ...target });
  }
  assert.equal(P.buildCmd('ack', 'Ana', { kind: 'bill', call: 17 }), '{"v":1,"action":"ack","by":"Ana","kind":"bill","call":17}');
});

test('buildCmd names the client the hub answers (from)', () => {
  const payload = P.buildCmd('done', 'Ana', { kind: 'water', call: 9 }, 'board-1f2e3d4c');
  assert.equal(payload, '{"v":1,"action":"done","by":"Ana","kind":"water","call":9,"from":"board-1f2e3d4c"}');
  assert.deepStrictEqual(plain(P.decodeCmd(payload)).value, { action: 'done', by: 'Ana', kind: 'water', call: 9, from: 'board-1f2e3d4c' });
  assert.equal(P.decodeTopic(P.topicFor('reply', 'demo', 'board-1f2e3d4c')).value.type, 'reply');
  assert.throws(() => P.buildCmd('ack', 'Ana', { call: 1 }, 'Board 1'), /bad_id/);
  assert.throws(() => P.buildCmd('ack', 'Ana', { call: 1 }, ''), /bad_id/);
  assert.throws(() => P.buildCmd('ack', 'Ana', { call: 1 }, 'x'.repeat(33)), /bad_id/);
  assert.throws(() => P.buildCmd('ack', 'Ana', { call: 1 }, 7), /bad_id/);
});

test('decodeCmdReply: bounds of error and reason, as the press reply', () => {
  const refused = (error, reason) => JSON.stringify({ v: 1, table: '3', action: 'ack', call: 17, ok: false, error, reason });
  assert.equal(P.decodeCmdReply(refused('stale', 'x'.repeat(160))).ok, true);
  assert.equal(P.decodeCmdReply(refused('stale', 'x'.repeat(161))).error, 'too_long');
  assert.equal(P.decodeCmdReply(refused('x'.repeat(23), 'r')).ok, true);
  assert.equal(P.decodeCmdReply(refused('x'.repeat(24), 'r')).error, 'too_long');
  assert.equal(P.decodeCmdReply(refused('stale', 'a\u0000b')).error, 'range');
  assert.equal(P.decodeCmdReply(refused('stale', 7)).error, 'type');
  assert.equal(P.decodeCmdReply('{"v":1,"table":"3","action":"ack","call":17,"ok":"yes"}').error, 'type');
  assert.equal(P.decodeCmdReply('{"v":1,"table":"Three","action":"ack","call":17,"ok":true}').error, 'bad_id');
  // an applied command's reply has no error or reason, even when they are sent
  assert.deepStrictEqual(plain(P.decodeCmdReply('{"v":1,"table":"3","action":"done","call":0,"ok":true,"reason":"x"}')).value,
    { table: '3', action: 'done', call: 0, ok: true });
});

test('buildCmd rejects what the hub would reject', () => {
  assert.throws(() => P.buildCmd('eat', 'Ana'), /bad_action/);
  assert.throws(() => P.buildCmd('ack', ''), /range/);
  assert.throws(() => P.buildCmd('ack', ' Ana'), /range/);
  assert.throws(() => P.buildCmd('ack', 'a\u0007b'), /range/);
  assert.throws(() => P.buildCmd('ack', 'x'.repeat(33)), /too_long/);
  assert.throws(() => P.buildCmd('ack', 'é'.repeat(17)), /too_long/); // 34 bytes
  assert.throws(() => P.buildCmd('ack', 'a\ud800'), /json/); // not encodable as UTF-8
  assert.throws(() => P.buildCmd('ack', 'Ana', { kind: 'cancel' }), /bad_kind/);
  assert.throws(() => P.buildCmd('ack', 'Ana', { call: 0 }), /range/);
  assert.throws(() => P.buildCmd('ack', 'Ana', { call: 1.5 }), /range/);
  assert.doesNotThrow(() => P.buildCmd('ack', 'é'.repeat(16))); // 32 bytes
});

test('tableStatus derives the status the way the decoder checks it', () => {
  assert.equal(P.tableStatus([]), 'idle');
  assert.equal(P.tableStatus([{ status: 'acknowledged' }]), 'acknowledged');
  assert.equal(P.tableStatus([{ status: 'acknowledged' }, { status: 'calling' }]), 'calling');
  assert.deepStrictEqual(plain(P.AGE_DEFAULTS), { warn_s: 60, late_s: 180 });
  assert.equal(P.ageClass(60, false), 'warn'); // defaults when no thresholds are given
});

test('topics are built the way decodeTopic reads them', () => {
  for (const [type, id] of [['state', '3'], ['cmd', 'patio-2'], ['device_status', 'sim-1'], ['device_info', 'e66'], ['hub_status', ''], ['hub_stats', ''], ['reply', 'cli-1']]) {
    const t = P.topicFor(type, 'demo', id);
    assert.deepStrictEqual(plain(P.decodeTopic(t)), { ok: true, value: { type, site: 'demo', id } });
  }
  assert.equal(P.topicFor('cmd', 'demo', '3'), 'callbell/demo/table/3/cmd');
  assert.throws(() => P.topicFor('cmd', 'Demo', '3'));
  assert.equal(P.decodeTopic('callbell/demo/table/' + 'x'.repeat(120) + '/state').error, 'too_long');
});

test('stats and plain-text status payloads', () => {
  const s = plain(P.decodeStats('{"v":1,"day":"2026-11-26","calls":12,"acked":11,"done":10,"ack_p50_s":21.5,"ack_p90_s":48.0,"done_p50_s":null,"done_p90_s":300,"updated_at":1764140061000}'));
  assert.deepStrictEqual(s, { ok: true, value: { day: '2026-11-26', calls: 12, acked: 11, done: 10, ack_p50_s: 21.5, ack_p90_s: 48, done_p50_s: null, done_p90_s: 300, updated_at: 1764140061000 } });
  assert.equal(P.decodeStats('{"v":1,"day":"x","calls":1,"acked":1,"done":1,"ack_p50_s":"1","ack_p90_s":1,"done_p50_s":1,"done_p90_s":1,"updated_at":1}').error, 'type');
  assert.equal(P.decodeOnline('offline').value, 'offline');
  assert.equal(P.decodeOnline(new TextEncoder().encode('online')).value, 'online');
  assert.equal(P.decodeOnline('degraded').value, 'degraded'); // the hub's, when it cannot store
  assert.equal(P.decodeOnline('').ok, false);
});

test('payload bounds and JSON strictness', () => {
  const idle = '{"v":1,"table":"4","status":"idle","requests":[],"updated_at":1}';
  const req = (k, call, at) => `{"kind":"${k}","call":${call},"status":"calling","count":1,"repeats":0,"pressed_at":${at},"acked_by":"","acked_at":0}`;
  const three = `{"v":1,"table":"4","status":"calling","requests":[${req('water', 1, 1)},${req('bill', 2, 2)},${req('call', 3, 3)}],"updated_at":1}`;
  assert.equal(P.decodeState(idle).ok, true);
  assert.equal(P.decodeState(new TextEncoder().encode(idle)).ok, true); // bytes, as from mqtt.js
  // a state may be up to 1024 bytes; every other payload 512
  assert.equal(P.decodeState(three.slice(0, -1) + ',"pad":"' + 'x'.repeat(1015 - three.length) + '"}').ok, true);
  assert.equal(P.decodeState(three.slice(0, -1) + ',"pad":"' + 'x'.repeat(1016 - three.length) + '"}').error, 'too_long');
  assert.equal(P.decodeCmd('{"v":1,"action":"ack","by":"Ana","pad":"' + 'x'.repeat(512) + '"}').error, 'too_long');
  assert.equal(P.decodeState(new Uint8Array([0x7b, 0xff, 0x7d])).error, 'json'); // invalid UTF-8
  assert.equal(P.decodeState(idle.replace('"updated_at":1', '"updated_at":1.0')).error, 'type');
  assert.equal(P.decodeState(idle.replace('"updated_at":1', '"updated_at":1e2')).error, 'type');
  assert.equal(P.decodeState(idle.replace('"updated_at":1', '"updated_at":01')).error, 'json');
  assert.equal(P.decodeState(idle.replace('[]', '[ ]')).ok, true);
  assert.equal(P.decodeState(idle.replace('[]', '[,]')).error, 'json');
  assert.equal(P.decodeState(three.replace('"kind":"water"', '"kind":"w\\"]"')).error, 'bad_kind'); // brackets inside a string
});

// The web board's sign-in is the payload the C hub decodes: the shared vectors' ok
// sign-ins (hub_vectors) come out byte for byte from buildSignin.
test('buildSignin writes what the hub reads', () => {
  const { hub_vectors } = JSON.parse(readFileSync(`${repoRoot}docs/protocol-vectors.json`, 'utf8'));
  const oks = hub_vectors.filter((v) => v.decode === 'signin' && v.expect === 'ok');
  assert.ok(oks.length >= 3);
  for (const v of oks) assert.equal(P.buildSignin(v.fields.by, v.fields.role, v.fields.sections), v.input);
  assert.throws(() => P.buildSignin('Ana', 'boss', []), /range/);
  assert.throws(() => P.buildSignin('Ana', 'staff', ['Patio']), /bad_id/);
  assert.throws(() => P.buildSignin('Ana', 'staff', ['a', 'a']), /range/);
  assert.throws(() => P.buildSignin(' Ana', 'staff', []), /range/);
  assert.equal(P.topicFor('signin', 'demo', 'board-1'), 'callbell/demo/staff/board-1/signin');
});
