// The web board takes the site from the hub's site message (docs/protocol.md "site"):
// tiles and queue lines show display names (UTF-8, a long one on at most two lines),
// the header the restaurant's name, and the colours follow the site's thresholds
// (warn after 2 s, late after 4 s here, not the built-in 60/180). A reload of the site
// file (SIGHUP) renames a table on an open page. Runs a hub of its own, from a site
// file, for a site of its own, on the broker tests/web/run.sh started.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = process.env;
const ready = env.CB_BOARD_URL && env.CALLBELL_BIN && env.CB_MQTT_URL;

if (!ready) {
  test('site names on the web board (needs tests/web/run.sh)', { skip: 'run through tests/web/run.sh' }, () => {});
} else {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const OUT = env.CB_OUT || new URL('./out/', import.meta.url).pathname;
  const SITE = 'names';
  const LONG = 'Terrasse côté jardin, près de la grande fontaine';
  const dir = mkdtempSync(join(tmpdir(), 'callbell-site-test-'));
  const conf = join(dir, `${SITE}.conf`);
  let browser, page, hub;
  const consoleErrors = [];

  /* 42 more tables with names: the site message (about 2.5 kB here) is far over the
   * 512 bytes of other payloads, as a restaurant's will be */
  const MORE = Array.from({ length: 42 }, (_, i) => [`t${i + 1}`, `Salle à manger ${i + 1}`]);
  function writeSite(one) {
    writeFileSync(conf, `[site]\nid = ${SITE}\nname = Trattoria Sole\n[broker]\nurl = ${env.CB_MQTT_URL}\n` +
      `[board]\nwarn_after = 2\nlate_after = 4\n[tables]\n1 = ${one}\npatio = ${LONG}\nbar = Bar\n` +
      MORE.map(([id, name]) => `${id} = ${name}\n`).join(''));
  }
  function cli(args) {
    return new Promise((resolve, reject) => {
      const p = spawn(env.CALLBELL_BIN, [...args, '--config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (d) => { stderr += d; });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`callbell ${args.join(' ')}: ${code} ${stderr}`))));
    });
  }
  const tile = (t) => page.locator(`.tiles [data-table="${t}"]`);
  const line = (t) => page.locator(`#queue [data-call][data-for-table="${t}"]`);
  async function expectText(locator, text, timeout = 5000) {
    await locator.filter({ hasText: text }).first().waitFor({ timeout })
      .catch(async () => assert.fail(`${locator}: expected "${text}", got "${await locator.first().textContent().catch(() => '(none)')}"`));
  }
  async function expectAge(locator, age, timeout) {
    await page.waitForFunction(([el, a]) => el.dataset.age === a, [await locator.elementHandle(), age], { timeout })
      .catch(async () => assert.fail(`${locator}: expected data-age ${age}, got ${await locator.getAttribute('data-age')}`));
  }

  before(async () => {
    writeSite('Fenêtre 1');
    hub = spawn(env.CALLBELL_BIN, ['hub', '--config', conf, '--db', join(dir, 'hub.db')], { stdio: ['ignore', 'inherit', 'inherit'] });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true });
    page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    await page.goto(`${env.CB_BOARD_URL}?site=${SITE}`);
  });

  after(async () => {
    if (hub) hub.kill('SIGTERM');
    if (browser) await browser.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(consoleErrors, [], 'browser console errors');
  });

  test('tiles show the display names and the header the restaurant', async () => {
    await expectText(tile('1').locator('.tile-num'), 'Fenêtre 1', 8000);
    await expectText(tile('bar').locator('.tile-num'), 'Bar');
    await expectText(tile('patio').locator('.tile-num'), LONG);
    assert.equal(await tile('1').locator('.tile-label').isVisible(), false, 'no "Table" label over a name');
    await expectText(page.locator('#site-name'), 'Trattoria Sole');
    // 45 tables, every one by its name
    await expectText(tile('t42').locator('.tile-num'), 'Salle à manger 42');
    assert.equal(await page.locator('.tiles [data-table]').count(), 45);
    assert.equal(await page.locator('.tiles .tile-num.named').count(), 45);
    // a long name stays inside its tile (two lines at most, then an ellipsis)
    const [num, box] = await Promise.all([tile('patio').locator('.tile-num').boundingBox(), tile('patio').boundingBox()]);
    assert.ok(num.width <= box.width && num.height < 70, `long name ${JSON.stringify(num)} in tile ${JSON.stringify(box)}`);
    await page.screenshot({ path: `${OUT}/site-names.png` });
  });

  test('colours follow the site thresholds (warn 2 s, late 4 s), queue lines show the name', async () => {
    await cli(['press', '1']);
    await expectText(line('1').locator('.call-table-num'), 'Fenêtre 1');
    await expectAge(tile('1'), 'new', 1500);
    // the built-in thresholds would keep it "new" for a minute
    await expectAge(tile('1'), 'warn', 4000);
    await expectAge(line('1'), 'late', 5000);
    await expectAge(tile('1'), 'late', 1000);
    await page.screenshot({ path: `${OUT}/site-names-late.png` });
  });

  test('a reload of the site file renames a table on an open board', async () => {
    writeSite('Window 1');
    hub.kill('SIGHUP');
    await expectText(tile('1').locator('.tile-num'), 'Window 1');
    await expectText(line('1').locator('.call-table-num'), 'Window 1');
    await cli(['done', '1', '--by', 'Ana']);
  });
}
