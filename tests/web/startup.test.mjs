// The web board's start-up view comes from the hub (docs/protocol.md "Boards' start-up
// view"), on aedes (npm, tests/brokers: retained messages mixed with live ones), with
// WebSockets: the board is loaded from the harness's broker and pointed at an aedes this
// test starts on loopback, with a hub of its own. A table whose retained state is gone
// (as RabbitMQ never delivers it to a wildcard subscription) still shows its open
// request; a stale retained state (a call the hub does not have) is not shown, neither
// at start nor when a copy of it comes later. Needs tests/web/run.sh (CB_BOARD_URL, ...).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = process.env;
const brokers = new URL('../brokers/', import.meta.url).pathname;
const ready = env.CB_BOARD_URL && env.CALLBELL_BIN;

if (!ready) {
  test('web board start-up view on aedes', { skip: 'needs the harness: run bash tests/web/run.sh' }, () => {});
} else {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const mqtt = require('mqtt');
  const SITE = 'startup';
  const OUT = env.CB_OUT || new URL('./out/', import.meta.url).pathname;
  const tmp = mkdtempSync(join(tmpdir(), 'callbell-startup-'));
  const children = [];
  let browser;
  let port;
  let wsPort;

  const freePort = () => new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  /* a child with its output in `lines`; resolves once a line matches `ready` */
  function start(cmd, args, readyRe) {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(p);
    let out = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')}: not ready in 15 s:\n${out}`)), 15000);
      const seen = (d) => {
        out += d;
        if (readyRe.test(out)) { clearTimeout(timer); resolve(p); }
      };
      p.stdout.on('data', seen);
      p.stderr.on('data', seen);
      p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited ${code}:\n${out}`)); });
    });
  }
  function cli(args) {
    return new Promise((resolve, reject) => {
      const p = spawn(env.CALLBELL_BIN, [...args, '--broker', `mqtt://127.0.0.1:${port}`, '--site', SITE],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      p.stdout.on('data', (d) => { text += d; });
      p.stderr.on('data', (d) => { text += d; });
      const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`callbell ${args.join(' ')}: timed out`)); }, 15000);
      p.on('close', (code) => { clearTimeout(timer); code === 0 ? resolve(text) : reject(new Error(`callbell ${args.join(' ')}: ${code}\n${text}`)); });
    });
  }

  before(async () => {
    port = await freePort();
    wsPort = await freePort();
    await start('node', [join(brokers, 'aedes.mjs'), String(port), String(wsPort)], /aedes websockets on/);
    await start(env.CALLBELL_BIN, ['hub', '--broker', `mqtt://127.0.0.1:${port}`, '--db', join(tmp, 'hub.db'),
      '--tables', '1-6', '--site', SITE], /connected to the broker/);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  after(async () => {
    if (browser) await browser.close();
    for (const p of children.reverse()) p.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  });

  test('aedes: open calls at start-up come from the hub; a stale retained state is not shown', async () => {
    await cli(['press', '3', '--kind', 'water']);
    await cli(['press', '5', '--kind', 'bill']);
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'startup-test-' + process.pid, protocolVersion: 4 });
    const stale = JSON.stringify({ v: 1, table: '4', status: 'calling', requests: [{ kind: 'bill', call: 99, status: 'calling',
      count: 1, repeats: 0, pressed_at: 1000, acked_by: '', acked_at: 0 }], updated_at: 1000 });
    const page = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await c.publishAsync(`callbell/${SITE}/table/3/state`, '', { qos: 1, retain: true });
      await c.publishAsync(`callbell/${SITE}/table/4/state`, stale, { qos: 1, retain: true });
      await page.goto(`${env.CB_BOARD_URL}?broker=${encodeURIComponent(`ws://127.0.0.1:${wsPort}/`)}&site=${SITE}`);
      const line = (t, kind) => page.locator(`#queue [data-call][data-for-table="${t}"][data-kind="${kind}"]`);
      await line('3', 'water').waitFor({ timeout: 10000 });
      await line('5', 'bill').waitFor({ timeout: 5000 });
      await page.waitForFunction(() => window.callbellBoard.answers >= 1, null, { timeout: 5000 });
      assert.ok(await page.evaluate(() => window.callbellBoard.asked) >= 1, 'the board sent no calls request');
      assert.equal(await line('4', 'bill').count(), 0, 'the stale retained call of table 4 is shown');
      await c.publishAsync(`callbell/${SITE}/table/4/state`, stale, { qos: 1 }); /* a late copy */
      await page.waitForTimeout(700);
      assert.equal(await line('4', 'bill').count(), 0, 'a state older than the hub\'s answer was taken');
      /* live states still update it */
      await cli(['press', '6', '--kind', 'call']);
      await line('6', 'call').waitFor({ timeout: 5000 });
      await page.screenshot({ path: `${OUT}/startup-aedes.png` });
      assert.deepEqual(errors, []);
    } finally {
      await c.endAsync();
    }
  });
}
