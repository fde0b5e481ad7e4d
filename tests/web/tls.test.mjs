// The web board with `callbell broker --tls`: the page connects over WSS to the
// broker's TLS WebSockets listener, with the certificate `callbell broker` made, and
// shows the hub's tables. (Over TLS the broker's own file server is not used: Debian's
// libwebsockets negotiates HTTP/2 by ALPN, which Mosquitto 2.0's file server cannot
// serve -- Chromium's ERR_HTTP2_PROTOCOL_ERROR; a WebSocket asks for HTTP/1.1.)
// tests/web/run.sh starts that broker and its hub and passes CB_TLS_BOARD_URL and
// CB_TLS_HOME, a home whose NSS store trusts the broker's CA (as a phone would).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const env = process.env;
if (!env.CB_TLS_BOARD_URL) {
  test('web board over TLS', { skip: 'needs a TLS broker: run bash tests/web/run.sh' }, () => {});
} else {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const SITE = env.CB_SITE || 'demo';
  const launch = (trust) => chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    env: trust ? { ...env, HOME: env.CB_TLS_HOME } : env, // Chromium reads $HOME/.pki/nssdb
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync']
  });
  let trusting, doubting;
  before(async () => { trusting = await launch(true); doubting = await launch(false); });
  after(async () => { await trusting?.close(); await doubting?.close(); });

  test('a browser that trusts the local CA connects over WSS and shows the tables', async () => {
    const page = await (await trusting.newContext()).newPage();
    await page.goto(`${env.CB_TLS_BOARD_URL}&site=${SITE}`);
    await page.waitForFunction(() => document.body.dataset.conn === 'online', null, { timeout: 10000 });
    await page.locator('.tiles [data-table="4"]').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.tiles [data-table]').count(), 4);
    await page.context().close();
  });

  test('a browser that does not trust it stays offline', async () => {
    const page = await (await doubting.newContext()).newPage();
    await page.goto(`${env.CB_TLS_BOARD_URL}&site=${SITE}`);
    await page.waitForTimeout(3000);
    assert.notEqual(await page.locator('body').getAttribute('data-conn'), 'online');
    assert.equal(await page.locator('.tiles [data-table]').count(), 0);
    await page.context().close();
  });
}
