// The web board's protocol decoder against the shared vectors (docs/protocol-vectors.json),
// the same file the C core's unit tests run: both sides must agree on every vector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadProtocol, repoRoot } from './load-protocol.mjs';

const P = loadProtocol();
const { vectors } = JSON.parse(readFileSync(`${repoRoot}docs/protocol-vectors.json`, 'utf8'));

// Structured clone across the vm boundary, so deepStrictEqual compares plain objects.
const plain = (x) => JSON.parse(JSON.stringify(x));

test('vector file has state and cmd vectors', () => {
  assert.ok(vectors.filter((v) => v.decode === 'state').length >= 1);
  assert.ok(vectors.filter((v) => v.decode === 'cmd').length >= 1);
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

test('buildCmd output decodes back to the same command', () => {
  for (const [action, by, call] of [['ack', 'Ana', 17], ['done', 'Bo', undefined], ['ack', 'José "J" Ñ', 4294967296]]) {
    const payload = P.buildCmd(action, by, call);
    const r = plain(P.decodeCmd(payload));
    assert.equal(r.ok, true, payload);
    const want = { action, by };
    if (call !== undefined) want.call = call;
    assert.deepStrictEqual(r.value, want);
  }
  assert.equal(P.buildCmd('ack', 'Ana', 17), '{"v":1,"action":"ack","by":"Ana","call":17}');
});

test('buildCmd rejects what the hub would reject', () => {
  assert.throws(() => P.buildCmd('eat', 'Ana'), /bad_action/);
  assert.throws(() => P.buildCmd('ack', ''), /range/);
  assert.throws(() => P.buildCmd('ack', 'a\u0007b'), /range/);
  assert.throws(() => P.buildCmd('ack', 'x'.repeat(33)), /too_long/);
  assert.throws(() => P.buildCmd('ack', 'é'.repeat(17)), /too_long/); // 34 bytes
  assert.doesNotThrow(() => P.buildCmd('ack', 'é'.repeat(16))); // 32 bytes
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
  const idle = '{"v":1,"table":"4","status":"idle","call":0,"count":0,"repeats":0,"pressed_at":0,"acked_by":"","acked_at":0,"updated_at":1}';
  assert.equal(P.decodeState(idle).ok, true);
  assert.equal(P.decodeState(new TextEncoder().encode(idle)).ok, true); // bytes, as from mqtt.js
  assert.equal(P.decodeState(idle.slice(0, -1) + ',"pad":"' + 'x'.repeat(512) + '"}').error, 'too_long');
  assert.equal(P.decodeState(new Uint8Array([0x7b, 0xff, 0x7d])).error, 'json'); // invalid UTF-8
  assert.equal(P.decodeState(idle.replace('"call":0', '"call":0.0')).error, 'type');
  assert.equal(P.decodeState(idle.replace('"call":0', '"call":1e2')).error, 'type');
  assert.equal(P.decodeState(idle.replace('"call":0', '"call":-1')).error, 'range');
  assert.equal(P.decodeState(idle.replace('"call":0', '"call":01')).error, 'json');
  assert.equal(P.decodeState(idle.replace('"acked_by":""', '"acked_by":"' + 'x'.repeat(33) + '"')).error, 'too_long');
  assert.equal(P.decodeState(idle.replace('"status":"idle"', '"status":"calling","kind":"cancel"')).error, 'bad_kind');
});
