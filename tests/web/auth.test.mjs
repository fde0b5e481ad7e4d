// The web board against `callbell broker --password-file`: without a user it says why
// it cannot connect; with the user and password (query string or settings panel) it
// shows the hub's tables. tests/web/run.sh starts that broker and a hub on it and
// passes CB_AUTH_BOARD_URL, CB_AUTH_USER, CB_AUTH_PASS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const env = process.env;
if (!env.CB_AUTH_BOARD_URL) {
  test('web board with users', { skip: 'needs a password broker: run bash tests/web/run.sh' }, () => {});
} else {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const SITE = env.CB_SITE || 'demo';
  let browser;

  before(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
  });
  after(async () => { if (browser) await browser.close(); });

  async function open(query) {
    const ctx = await browser.newContext(); // a fresh browser profile: no stored settings
    const page = await ctx.newPage();
    await page.goto(`${env.CB_AUTH_BOARD_URL}?site=${SITE}${query}`);
    return page;
  }

  test('without a user the board says the broker refused it', async () => {
    const page = await open('');
    const banner = page.locator('#broker-offline');
    await banner.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await page.locator('#broker-offline-text').textContent(), /[Nn]ot authori[sz]ed/);
    // never reached: "Cannot connect", not "Connecting…" forever (it still retries)
    assert.equal(await page.locator('body').getAttribute('data-conn'), 'offline');
    assert.equal(await page.locator('#conn-text').textContent(), 'Cannot connect');
    assert.equal(await page.locator('.tiles [data-table]').count(), 0, 'no tables without the broker');
    await page.context().close();
  });

  test('with the user and password it is live and shows the hub\'s tables', async () => {
    const q = `&user=${encodeURIComponent(env.CB_AUTH_USER)}&pass=${encodeURIComponent(env.CB_AUTH_PASS)}`;
    const page = await open(q);
    await page.waitForFunction(() => document.body.dataset.conn === 'online', null, { timeout: 10000 });
    await page.locator('.tiles [data-table="4"]').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.tiles [data-table]').count(), 4);
    assert.ok(await page.locator('#broker-offline').isHidden(), 'no broker banner once connected');
    await page.context().close();
  });
}
