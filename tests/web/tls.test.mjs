// The web board with `callbell broker --tls`: the page over https:// (lighttpd, with the
// certificate `callbell broker` made) and its MQTT over WSS on the same port, in a
// Chromium that trusts the broker's local CA as a phone would. There the board is a
// secure context: its service worker registers and a new request's notification goes
// through it (as Android's Chrome requires). A Chromium that does not trust the CA
// does not even load the page.
// tests/web/run.sh starts that broker and its hub and passes CB_TLS_BOARD_URL,
// CB_TLS_MQTT_URL, CB_TLS_CA and CB_TLS_HOME, a home whose NSS store trusts the CA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const env = process.env;
if (!env.CB_TLS_BOARD_URL || !env.CB_TLS_MQTT_URL || !env.CALLBELL_BIN) {
  test('web board over TLS', { skip: 'needs a TLS broker: run bash tests/web/run.sh' }, () => {});
} else {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const SITE = env.CB_SITE || 'demo';
  const BOARD = env.CB_TLS_BOARD_URL;
  const launch = (trust) => chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    env: trust ? { ...env, HOME: env.CB_TLS_HOME } : env, // Chromium reads $HOME/.pki/nssdb
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync']
  });
  // `callbell press` over mqtts:// with the broker's CA
  const press = (table, kind) => new Promise((resolve, reject) => {
    const p = spawn(env.CALLBELL_BIN, ['press', String(table), '--kind', kind, '--broker', env.CB_TLS_MQTT_URL,
      '--site', SITE], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, CALLBELL_CA_FILE: env.CB_TLS_CA } });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`press timed out: ${out}`)); }, 15000);
    p.on('close', (code) => { clearTimeout(timer); code === 0 ? resolve(out) : reject(new Error(`press exited ${code}: ${out}`)); });
  });
  const done = (table) => new Promise((resolve) => {
    const p = spawn(env.CALLBELL_BIN, ['done', String(table), '--by', 'Ana', '--broker', env.CB_TLS_MQTT_URL, '--site', SITE],
      { stdio: 'ignore', env: { ...env, CALLBELL_CA_FILE: env.CB_TLS_CA } });
    const timer = setTimeout(() => p.kill('SIGKILL'), 15000);
    p.on('close', () => { clearTimeout(timer); resolve(); });
  });
  let trusting, doubting;
  before(async () => { trusting = await launch(true); doubting = await launch(false); });
  after(async () => { await trusting?.close(); await doubting?.close(); });

  test('a browser that trusts the local CA loads the page over https, connects over WSS and shows the tables', async () => {
    const ctx = await trusting.newContext();
    const page = await ctx.newPage();
    const res = await page.goto(`${BOARD}?site=${SITE}`);
    assert.equal(new URL(page.url()).protocol, 'https:');
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^text\/html/);
    await page.waitForFunction(() => document.body.dataset.conn === 'online', null, { timeout: 10000 });
    await page.locator('.tiles [data-table="4"]').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.tiles [data-table]').count(), 4);
    // the default broker is the page's own origin: wss://, through the same port
    assert.equal(await page.evaluate(() => window.CallbellSettings.load().broker), `wss://${new URL(BOARD).host}/`);
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    await ctx.close();
  });

  test('over https the service worker registers and a new request notifies through it', async () => {
    const ctx = await trusting.newContext();
    await ctx.grantPermissions(['notifications'], { origin: new URL(BOARD).origin });
    await ctx.addInitScript(() => { localStorage.setItem('callbell.notify', 'on'); localStorage.setItem('callbell.staff', 'Ana'); });
    const page = await ctx.newPage();
    await page.goto(`${BOARD}?site=${SITE}`);
    await page.locator('.tiles [data-table="2"]').waitFor({ timeout: 10000 });
    const scope = await page.evaluate(() => Promise.race([
      navigator.serviceWorker.ready.then((r) => r.scope),
      new Promise((resolve) => setTimeout(() => resolve('not ready after 8 s: ' + (window.callbellBoard.workerError || '')), 8000))
    ]));
    assert.equal(scope, new URL('./', BOARD).href, 'the worker serves the page\'s scope');
    assert.match(await page.evaluate(async () => (await fetch('sw.js')).headers.get('content-type')), /^text\/javascript/);
    // the board has its registration before the call comes
    await page.waitForFunction(() => !!window.callbellBoard.worker, null, { timeout: 5000 });
    await press(2, 'water');
    await page.waitForFunction(() => window.callbellBoard.alerts >= 1, null, { timeout: 10000 });
    const mine = await page.evaluate(() => window.callbellBoard.notifications.slice());
    assert.equal(mine.length, 1, JSON.stringify(mine));
    assert.equal(mine[0].via, 'worker');
    // the browser holds it under the registration (what Android shows)
    let shown = [];
    for (let i = 0; i < 50 && shown.length === 0; i++) {
      shown = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
        .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url })));
      if (shown.length === 0) await page.waitForTimeout(100);
    }
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.match(shown[0].title, /^Table 2: Water/);
    assert.equal(shown[0].body, 'New request');
    assert.match(shown[0].tag, /^2\//);
    assert.equal(new URL(shown[0].url).origin, new URL(BOARD).origin);
    await done(2);
    await ctx.close();
  });

  test('a browser that does not trust the CA does not load the page', async () => {
    const page = await (await doubting.newContext()).newPage();
    await assert.rejects(page.goto(`${BOARD}?site=${SITE}`), /ERR_CERT_AUTHORITY_INVALID/);
    await page.context().close();
  });
}
