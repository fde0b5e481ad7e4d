// Reaching the right waiter, in Chromium (issue 13), against tests/web/run.sh's broker
// with hubs of its own (sites of their own, so board.test.mjs's evening is untouched):
// - sections: a patio call rings the board signed in to the patio (sound, vibration and
//   a notification, permission granted here) and not the bar's; at the first re-alert
//   it reaches the floor and rings the bar's board too, which shows "→ floor";
// - the wall view of a 40-table site: every tile and every open request on screen at
//   1024×768 and 1920×1080, no scrolling (document height ≤ viewport), read only;
// - a broker that cannot be reached is said so, not "Connecting…" forever;
// - unanswered requests above acknowledged ones in the queue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const env = process.env;
const ready = env.CB_BOARD_URL && env.CALLBELL_BIN && env.CB_MQTT_URL;

if (!ready) {
  test('reach end-to-end', { skip: 'needs a broker: run bash tests/web/run.sh' }, () => {});
} else {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const OUT = env.CB_OUT || new URL('./out/', import.meta.url).pathname;
  mkdirSync(OUT, { recursive: true });
  const BOARD = env.CB_BOARD_URL;
  const tmp = mkdtempSync(`${tmpdir()}/callbell-reach-`);
  const children = new Set();
  let browser;

  function run(args, { timeout = 15000 } = {}) {
    return new Promise((resolve, reject) => {
      const p = spawn(env.CALLBELL_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`callbell ${args.join(' ')}: timed out\n${out}`)); }, timeout);
      p.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`callbell ${args.join(' ')} exited ${code}\n${out}`));
      });
    });
  }
  function startHub(args) {
    const p = spawn(env.CALLBELL_BIN, ['hub', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.add(p);
    p.on('exit', () => children.delete(p));
    return p;
  }
  async function waitFor(what, fn, ms = 8000) {
    const t0 = Date.now();
    for (;;) {
      if (await fn()) return;
      if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async function page(url, { viewport = { width: 1024, height: 768 }, init } = {}) {
    const ctx = await browser.newContext({ viewport });
    await ctx.grantPermissions(['notifications'], { origin: new URL(BOARD).origin });
    if (init) await ctx.addInitScript(init);
    const pg = await ctx.newPage();
    await pg.goto(url);
    return pg;
  }
  const board = (pg) => pg.evaluate(() => ({
    alerts: window.callbellBoard.alerts, realerts: window.callbellBoard.realerts, silenced: window.callbellBoard.silenced,
    notifications: window.callbellBoard.notifications.slice(), vibrations: window.callbellBoard.vibrations
  }));

  before(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
  });
  after(async () => {
    for (const p of children) p.kill('SIGTERM');
    if (browser) await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a patio call rings the patio board only, then the floor at the first re-alert', async () => {
    const conf = `${tmp}/reach.conf`;
    writeFileSync(conf, `[site]\nid = reach\n[broker]\nurl = ${env.CB_MQTT_URL}\n[hub]\nrealert = 3\n` +
      '[tables]\n1 = Patio 1\n2 = Bar 1\n[sections]\npatio = 1\nbar = 2\n');
    startHub(['--config', conf, '--db', `${tmp}/reach.db`]);
    const notifyOn = () => { localStorage.setItem('callbell.notify', 'on'); localStorage.setItem('callbell.staff', 'Ana'); };
    const ana = await page(`${BOARD}?site=reach&sections=patio`, { viewport: { width: 360, height: 740 }, init: notifyOn });
    const bo = await page(`${BOARD}?site=reach&sections=bar`, { viewport: { width: 360, height: 740 }, init: notifyOn });
    for (const pg of [ana, bo]) {
      await pg.locator('.tiles [data-table="1"]').waitFor();
      await waitFor('the sign-in sent', () => pg.evaluate(() => window.callbellBoard.published.some((m) => m.topic.endsWith('/signin'))));
    }
    // the hub must know Ana is in the patio before the call, or it rings the floor
    await new Promise((r) => setTimeout(r, 500));
    await run(['press', '1', '--config', conf]);
    await waitFor('Ana rung', async () => (await board(ana)).alerts === 1);
    const a = await board(ana);
    assert.equal(a.notifications.length, 1, 'one notification for the new request');
    assert.match(a.notifications[0].title, /Table 1: Call/);
    await waitFor('Bo sees the call', async () => (await bo.locator('#queue [data-call]').count()) === 1);
    let b = await board(bo);
    assert.equal(b.alerts + b.realerts, 0, 'the bar board rang for a patio call at section level');
    assert.equal(b.silenced, 1);
    // unanswered: the first re-alert reaches the floor
    await waitFor('Bo rung at the floor', async () => (await board(bo)).realerts >= 1, 8000);
    b = await board(bo);
    assert.ok(b.notifications.length >= 1 && /again/.test(b.notifications[0].title), JSON.stringify(b.notifications));
    assert.equal(await bo.locator('#queue [data-call] .level').textContent(), '→ floor');
    assert.equal(await bo.locator('.tiles [data-table="1"]').getAttribute('data-level'), 'floor');
    assert.equal(await bo.locator('.tiles [data-table="2"]').getAttribute('data-level'), null);
    await waitFor('Ana reminded too', async () => (await board(ana)).realerts >= 1);
    await bo.screenshot({ path: `${OUT}/reach-floor.png` });
    await run(['done', '1', '--config', conf, '--by', 'Ana']);
  });

  test('the wall view shows all 40 tables and every open request on one screen', async () => {
    startHub(['--broker', env.CB_MQTT_URL, '--site', 'wall', '--tables', '1-40', '--db', `${tmp}/wall.db`]);
    const url = `${BOARD}?site=wall&view=wall`;
    const first = await page(url);
    await waitFor('40 tiles', async () => (await first.locator('.tiles .tile').count()) === 40, 10000);
    // requests on several tables, one table with all three kinds, one acknowledged
    for (const [t, k] of [['1', 'call'], ['17', 'bill'], ['40', 'water'], ['40', 'bill'], ['40', 'call'], ['23', 'call']]) {
      await run(['press', t, '--kind', k, '--broker', env.CB_MQTT_URL, '--site', 'wall']);
    }
    await run(['ack', '23', '--by', 'Ana', '--broker', env.CB_MQTT_URL, '--site', 'wall']);
    for (const viewport of [{ width: 1024, height: 768 }, { width: 1920, height: 1080 }]) {
      const pg = await page(url, { viewport });
      await waitFor('tiles drawn', async () => (await pg.locator('.tiles .tile').count()) === 40, 10000);
      await waitFor('the requests drawn', async () => (await pg.locator('.tiles .tile-req').count()) === 6);
      await pg.waitForTimeout(600); /* the tiles' colour transitions, for the screenshot */
      const m = await pg.evaluate(() => ({
        doc: document.documentElement.scrollHeight, body: document.body.scrollHeight, h: innerHeight,
        w: innerWidth, docW: document.documentElement.scrollWidth,
        offscreen: Array.from(document.querySelectorAll('.tiles .tile, .tiles .tile-req')).filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width === 0 || r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5;
        }).length,
        clipped: Array.from(document.querySelectorAll('.tiles .tile-req')).filter((e) => {
          const r = e.getBoundingClientRect();
          const t = e.closest('.tile').getBoundingClientRect();
          const label = e.querySelector('.kind-label');
          return r.bottom > t.bottom + 0.5 || r.right > t.right + 0.5 || (label && label.scrollWidth > label.clientWidth + 1);
        }).length,
        font: parseFloat(getComputedStyle(document.querySelector('.tile-num')).fontSize),
        actions: Array.from(document.querySelectorAll('.top-actions, #queue')).filter((e) => e.offsetParent !== null).length
      }));
      await pg.screenshot({ path: `${OUT}/wall-${viewport.width}x${viewport.height}.png` });
      assert.ok(m.doc <= m.h && m.body <= m.h, `document ${m.doc}px / body ${m.body}px taller than the ${m.h}px viewport`);
      assert.ok(m.docW <= m.w, `document ${m.docW}px wider than ${m.w}px`);
      assert.equal(m.offscreen, 0, 'a tile or request is outside the screen');
      assert.equal(m.clipped, 0, 'a request is cut off inside its tile');
      assert.ok(m.font >= 28, `table numbers in large type (got ${m.font}px)`);
      assert.equal(m.actions, 0, 'the wall view is read only: no actions, no queue');
      // read only: a tap on a calling tile sends nothing
      await pg.locator('.tiles [data-table="1"]').click();
      assert.equal(await pg.evaluate(() => window.callbellBoard.published.filter((x) => x.topic.endsWith('/cmd')).length), 0);
    }
  });

  test('unanswered requests stay above acknowledged ones in the queue', async () => {
    const pg = await page(`${BOARD}?site=wall`);
    await waitFor('queue', async () => (await pg.locator('#queue [data-call]').count()) === 6, 10000);
    const order = await pg.locator('#queue [data-call]').evaluateAll((els) => els.map((e) => e.dataset.status));
    assert.deepEqual(order, ['calling', 'calling', 'calling', 'calling', 'calling', 'acknowledged'], order.join(','));
  });

  test('a broker that cannot be reached is said so at once', async () => {
    const pg = await page(`${BOARD}?broker=ws://127.0.0.1:1/&site=demo`);
    await waitFor('"Cannot connect"', async () => (await pg.locator('#conn-text').textContent()) === 'Cannot connect', 6000);
    await pg.locator('#broker-offline').waitFor({ state: 'visible', timeout: 3000 });
    assert.match(await pg.locator('#broker-offline').textContent(), /cannot connect to ws:\/\/127\.0\.0\.1:1\//);
    assert.match(await pg.locator('#tiles-empty').textContent(), /Cannot connect to the broker/);
    await pg.screenshot({ path: `${OUT}/broker-unreachable.png` });
  });
}
