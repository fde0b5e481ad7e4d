// The web board against a broker that enforces the site's roles (README "Who may do
// what"): a display credential reads the tables but its tap on "Acknowledge" changes
// nothing and the board says it is not allowed; a staff credential acknowledges.
// tests/web/run.sh starts that broker and its hub and passes CB_ROLES_*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const env = process.env;
if (!env.CB_ROLES_BOARD_URL) {
  test('web board with roles', { skip: 'needs a roles broker: run bash tests/web/run.sh' }, () => {});
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

  async function open(user, pass) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${env.CB_ROLES_BOARD_URL}?site=${SITE}&user=${user}&pass=${encodeURIComponent(pass)}`);
    await page.waitForFunction(() => document.body.dataset.conn === 'online', null, { timeout: 10000 });
    return page;
  }
  const tile = (page, t) => page.locator(`.tiles [data-table="${t}"]`);
  async function nameOnce(page, name) {
    const dialog = page.locator('#name-dialog');
    if (await dialog.isVisible().catch(() => false)) {
      await dialog.getByLabel('Your name').fill(name);
      await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    }
  }

  test('a display reads but cannot acknowledge; staff can', async () => {
    execFileSync(env.CALLBELL_BIN, ['press', '1', '--site', SITE, '--broker', env.CB_ROLES_DEVICE_URL]);
    const wall = await open('wall', env.CB_ROLES_DISPLAY_PASS);
    await tile(wall, 1).and(wall.locator('[data-status="calling"]')).waitFor({ timeout: 5000 });
    await wall.getByRole('button', { name: 'Acknowledge table 1', exact: true }).click();
    await nameOnce(wall, 'Wall');
    await wall.locator('#toast').filter({ hasText: /Not allowed/ }).waitFor({ timeout: 8000 });
    assert.match(await wall.locator('#toast').innerText(), /Signed in as "wall", which may only read/);
    assert.equal(await tile(wall, 1).getAttribute('data-status'), 'calling', 'a display changed a table');

    const anna = await open('anna', env.CB_ROLES_STAFF_PASS);
    await tile(anna, 1).and(anna.locator('[data-status="calling"]')).waitFor({ timeout: 5000 });
    await anna.getByRole('button', { name: 'Acknowledge table 1', exact: true }).click();
    await nameOnce(anna, 'Anna');
    await tile(anna, 1).and(anna.locator('[data-status="acknowledged"]')).waitFor({ timeout: 5000 });
    // the display sees it too: it reads
    await tile(wall, 1).and(wall.locator('[data-status="acknowledged"]')).waitFor({ timeout: 5000 });
    await wall.context().close();
    await anna.context().close();
  });
}
