// End-to-end tests of the web board: Debian's chromium (via playwright-core) against a
// real `callbell broker` + `callbell hub`, started by tests/web/run.sh, which passes:
//   CALLBELL_BIN  the callbell CLI          CB_MQTT_URL   mqtt://127.0.0.1:<port>
//   CB_BOARD_URL  http://127.0.0.1:<ws>/    CB_HUB_PID    the running hub (stopped here)
//   CB_HUB_DB     its database              CB_TABLES     e.g. 1-4
//   CB_OUT        folder for screenshots    CB_SITE       site (demo)
// The tests run in order and build on each other (one restaurant, one evening).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const env = process.env;
const ready = env.CB_BOARD_URL && env.CALLBELL_BIN && env.CB_MQTT_URL && env.CB_HUB_PID;

if (!ready) {
  test('web board end-to-end', { skip: 'needs a broker and a hub: run bash tests/web/run.sh' }, () => {});
} else {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const mqtt = require('mqtt');

  const SITE = env.CB_SITE || 'demo';
  const OUT = env.CB_OUT || new URL('./out/', import.meta.url).pathname;
  mkdirSync(OUT, { recursive: true });
  const BOARD = env.CB_BOARD_URL;
  const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const TABLET = { viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1, hasTouch: true };

  let browser;
  let phone; // the phone's page: stays open through the tests, like a waiter's phone
  const children = new Set();
  const consoleErrors = [];

  /* Runs the callbell CLI; resolves {stdout, ms} or rejects with its output. */
  function cli(args, { timeout = 15000 } = {}) {
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const p = spawn(env.CALLBELL_BIN, [...args, '--broker', env.CB_MQTT_URL, '--site', SITE], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => { stdout += d; });
      p.stderr.on('data', (d) => { stderr += d; });
      const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`callbell ${args.join(' ')}: timed out\n${stderr}`)); }, timeout);
      p.on('error', (e) => { clearTimeout(timer); reject(e); });
      p.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve({ stdout, ms: Date.now() - t0 });
        else reject(new Error(`callbell ${args.join(' ')} exited ${code}\n${stdout}\n${stderr}`));
      });
    });
  }
  const press = (table, kind) => cli(['press', String(table), '--kind', kind]);
  async function openCalls() {
    const { stdout } = await cli(['calls', '--json']);
    const list = JSON.parse(stdout);
    assert.ok(Array.isArray(list), `calls --json is not an array: ${stdout}`);
    return list;
  }
  const callFor = (list, table) => list.find((c) => String(c.table) === String(table));

  function startHub() {
    const p = spawn(env.CALLBELL_BIN, ['hub', '--broker', env.CB_MQTT_URL, '--db', env.CB_HUB_DB,
      '--tables', env.CB_TABLES || '1-4', '--site', SITE], { stdio: ['ignore', 'inherit', 'inherit'] });
    children.add(p);
    p.on('exit', () => children.delete(p));
    return p;
  }
  function waitExit(pid, ms) {
    return new Promise((resolve) => {
      const t0 = Date.now();
      const iv = setInterval(() => {
        let alive = true;
        try { process.kill(pid, 0); } catch { alive = false; }
        if (!alive || Date.now() - t0 > ms) { clearInterval(iv); resolve(!alive); }
      }, 50);
    });
  }

  async function newPage(device, url = BOARD) {
    const ctx = await browser.newContext(device);
    const page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${m.text()} (${url})`); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message} (${url})`));
    await page.goto(url);
    return page;
  }
  const tile = (page, t) => page.locator(`.tiles [data-table="${t}"]`);
  /* a table's request on its tile, and its line in the queue */
  const tileRequest = (page, t, kind) => tile(page, t).locator(`.tile-req[data-kind="${kind}"]`);
  const queueItem = (page, t, kind) => page.locator(`#queue [data-call][data-for-table="${t}"]${kind ? `[data-kind="${kind}"]` : ''}`);
  const queueOrder = (page) => page.locator('#queue [data-call]').evaluateAll((els) => els.map((e) => `${e.dataset.forTable}:${e.dataset.kind}`));
  const requestFor = (list, table, kind) => list.find((c) => String(c.table) === String(table) && c.kind === kind);

  async function expectAttr(locator, name, value, timeout = 5000) {
    await locator.waitFor({ state: 'attached', timeout });
    await locator.page().waitForFunction(([el, n, v]) => el.getAttribute(n) === v,
      [await locator.elementHandle({ timeout }), name, value], { timeout })
      .catch(async () => {
        const got = await locator.getAttribute(name).catch(() => '(gone)');
        assert.fail(`${locator}: expected ${name}="${value}", got "${got}"`);
      });
  }
  async function shot(page, name, opts = {}) {
    await page.screenshot({ path: `${OUT}/${name}.png`, ...opts });
  }

  before(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
  });

  after(async () => {
    for (const p of children) p.kill('SIGTERM');
    if (browser) await browser.close();
    if (consoleErrors.length) console.log('# browser console errors:\n# ' + consoleErrors.join('\n# '));
  });

  test('the page is served by the broker and shows every table from retained states', async () => {
    phone = await newPage(PHONE);
    assert.equal(await phone.title(), 'callbell · staff board');
    for (const t of ['1', '2', '3', '4']) await expectAttr(tile(phone, t), 'data-status', 'idle');
    assert.equal(await phone.locator('#conn').getAttribute('data-state'), 'online');
    assert.equal(await phone.locator('#hub-offline').isVisible(), false, 'hub banner shown while the hub runs');
    assert.equal(await phone.locator('#queue [data-call]').count(), 0);
    assert.match(await phone.locator('#site-name').textContent(), new RegExp(`^${SITE}$`));
  });

  test('callbell press 3 --kind bill: tile 3 shows the bill call within 1 s', async () => {
    const alertsBefore = await phone.evaluate(() => window.callbellBoard.alerts);
    const t0 = Date.now();
    const { ms } = await press(3, 'bill');
    const pressed = Date.now();
    await tile(phone, 3).and(phone.locator('[data-status="calling"][data-kinds="bill"]'))
      .waitFor({ timeout: 1000 })
      .catch(() => assert.fail(`tile 3 did not show the bill call within 1 s of \`callbell press\` returning (press took ${ms} ms)`));
    const seen = Date.now();
    console.log(`# press -> tile: ${seen - pressed} ms after the CLI returned, ${seen - t0} ms including the CLI`);
    assert.match(await tile(phone, 3).innerText(), /Bill/);
    assert.match(await tile(phone, 3).locator('.timer').innerText(), /^0:0\d$/);
    const items = phone.locator('#queue [data-call]');
    assert.equal(await items.count(), 1);
    assert.equal(await items.first().getAttribute('data-for-table'), '3');
    assert.match(await items.first().innerText(), /Bill/);
    assert.ok(Number(await items.first().getAttribute('data-call')) >= 1);
    assert.equal(await phone.evaluate(() => window.callbellBoard.alerts), alertsBefore + 1, 'a new call rings once');
    assert.equal(await phone.locator('#queue-count').innerText(), '1');
  });

  test('acknowledge asks for the staff name once; the hub records who', async () => {
    await phone.getByRole('button', { name: 'Acknowledge table 3', exact: true }).click();
    const dialog = phone.locator('#name-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 2000 });
    await dialog.getByLabel('Your name').fill('Ana');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expectAttr(tile(phone, 3), 'data-status', 'acknowledged');
    assert.match(await tile(phone, 3).innerText(), /Ana/);
    assert.match(await queueItem(phone, 3).innerText(), /Ana/);
    const c3 = callFor(await openCalls(), 3);
    assert.ok(c3, 'callbell calls --json lists no call for table 3');
    assert.equal(c3.status, 'acknowledged');
    assert.equal(c3.acked_by, 'Ana');
    assert.equal(c3.kind, 'bill');
    assert.equal(typeof c3.waiting_s, 'number');

    // A second call: the name is remembered, no dialog this time.
    await press(2, 'water');
    await expectAttr(tile(phone, 2), 'data-status', 'calling');
    await phone.getByRole('button', { name: 'Acknowledge table 2', exact: true }).click();
    await expectAttr(tile(phone, 2), 'data-status', 'acknowledged');
    assert.equal(await dialog.isVisible(), false, 'the name was asked again');
    assert.equal(callFor(await openCalls(), 2)?.acked_by, 'Ana');
    assert.equal(await phone.evaluate(() => localStorage.getItem('callbell.staff')), 'Ana');
    assert.match(await phone.locator('#staff-label').innerText(), /Ana/);
  });

  test('the queue lists waiting requests above acknowledged ones, oldest first', async () => {
    await press(1, 'call');
    await expectAttr(tile(phone, 1), 'data-status', 'calling');
    assert.deepEqual(await queueOrder(phone), ['1:call', '3:bill', '2:water']);
    // every open request shows a ticking timer, coloured by the age-class rule
    assert.equal(await queueItem(phone, 1).getAttribute('data-age'), 'new');
    for (const t of ['3', '2']) assert.equal(await queueItem(phone, t).getAttribute('data-age'), 'acked');
    const before = await queueItem(phone, 3).locator('.timer').innerText();
    await phone.waitForTimeout(2100);
    const later = await queueItem(phone, 3).locator('.timer').innerText();
    assert.notEqual(later, before, 'the waiting time does not tick');
  });

  test('after a reload, and on a fresh tablet, the board comes back from retained messages', async () => {
    await phone.reload();
    await expectAttr(tile(phone, 3), 'data-status', 'acknowledged');
    await expectAttr(tile(phone, 2), 'data-status', 'acknowledged');
    await expectAttr(tile(phone, 1), 'data-status', 'calling');
    await expectAttr(tile(phone, 4), 'data-status', 'idle');
    assert.match(await tile(phone, 3).innerText(), /Ana/);
    assert.match(await tile(phone, 3).innerText(), /Bill/);
    assert.deepEqual(await queueOrder(phone), ['1:call', '3:bill', '2:water']);
    assert.equal(await phone.evaluate(() => window.callbellBoard.alerts), 0, 'a reload must not ring for old calls');

    const tablet = await newPage(TABLET); // new browser context: nothing in localStorage
    await expectAttr(tile(tablet, 3), 'data-status', 'acknowledged');
    await expectAttr(tile(tablet, 1), 'data-status', 'calling');
    assert.match(await tile(tablet, 2).innerText(), /Ana/);
    await tablet.context().close();
  });

  test('done closes the call everywhere', async () => {
    await phone.getByRole('button', { name: 'Done table 3', exact: true }).click();
    await expectAttr(tile(phone, 3), 'data-status', 'idle');
    assert.equal(await queueItem(phone, 3).count(), 0);
    const list = await openCalls();
    const c3 = callFor(list, 3);
    assert.ok(!c3 || c3.status === 'idle', `table 3 still open: ${JSON.stringify(c3)}`);
    assert.equal(callFor(list, 2)?.status, 'acknowledged');
    assert.equal(callFor(list, 1)?.status, 'calling');
    // the queue's own button works too
    await phone.getByRole('button', { name: 'Acknowledge call from table 1', exact: true }).click();
    await expectAttr(tile(phone, 1), 'data-status', 'acknowledged');
    assert.equal(callFor(await openCalls(), 1)?.acked_by, 'Ana');
  });

  test('water then bill: two requests on tile 3, each acknowledged and done on its own', async () => {
    const alerts = await phone.evaluate(() => window.callbellBoard.alerts);
    await press(3, 'water');
    await expectAttr(tile(phone, 3), 'data-kinds', 'water');
    await press(3, 'bill');
    await expectAttr(tile(phone, 3), 'data-kinds', 'water bill');
    assert.equal(await tile(phone, 3).locator('.tile-req').count(), 2, 'the tile shows both requests');
    assert.match(await tile(phone, 3).innerText(), /Water[\s\S]*Bill/);
    assert.equal(await queueItem(phone, 3).count(), 2, 'two queue lines for table 3');
    assert.equal(await phone.evaluate(() => window.callbellBoard.alerts), alerts + 2, 'each new request rings once');
    // waiting ones above acknowledged ones; the water was pressed first
    assert.deepEqual(await queueOrder(phone), ['3:water', '3:bill', '2:water', '1:call']);
    let list = await openCalls();
    assert.equal(requestFor(list, 3, 'water')?.status, 'calling');
    assert.equal(requestFor(list, 3, 'bill')?.status, 'calling');

    // ack the water alone: the bill still calls
    await phone.getByRole('button', { name: 'Acknowledge water from table 3', exact: true }).click();
    await expectAttr(tileRequest(phone, 3, 'water'), 'data-status', 'acknowledged');
    await expectAttr(queueItem(phone, 3, 'water'), 'data-age', 'acked');
    assert.equal(await tileRequest(phone, 3, 'bill').getAttribute('data-status'), 'calling');
    assert.equal(await tile(phone, 3).getAttribute('data-status'), 'calling');
    assert.deepEqual(await queueOrder(phone), ['3:bill', '2:water', '1:call', '3:water']);
    assert.equal(requestFor(await openCalls(), 3, 'water')?.acked_by, 'Ana');
    const [sent] = await phone.evaluate(() => window.callbellBoard.published.slice(-1));
    const clientId = await phone.evaluate(() => window.callbellBoard.clientId());
    const waterCall = Number(await queueItem(phone, 3, 'water').getAttribute('data-call'));
    assert.match(clientId, /^board-[0-9a-f]{8}$/);
    assert.equal(sent.topic, `callbell/${SITE}/table/3/cmd`);
    assert.deepEqual(JSON.parse(sent.payload), { v: 1, action: 'ack', by: 'Ana', kind: 'water', call: waterCall, from: clientId },
      'the board names the request (kind and call) and itself (from)');
    // the hub answers the board on its reply topic, and the board confirms it
    await phone.waitForFunction((c) => window.callbellBoard.replies.some((r) => r.call === c && r.ok), waterCall, { timeout: 3000 })
      .catch(() => assert.fail('no answer from the hub on the board\'s reply topic'));
    assert.deepEqual(await phone.evaluate((c) => window.callbellBoard.replies.find((r) => r.call === c), waterCall),
      { table: '3', action: 'ack', call: waterCall, ok: true });
    assert.match(await phone.locator('#toast').innerText(), /Table 3 · water: acknowledged/);

    // done with the bill alone (never acknowledged): the water stays
    await phone.getByRole('button', { name: 'Acknowledge bill from table 3', exact: true }).click();
    await expectAttr(tileRequest(phone, 3, 'bill'), 'data-status', 'acknowledged');
    await phone.getByRole('button', { name: 'Done with bill from table 3', exact: true }).click();
    await expectAttr(tile(phone, 3), 'data-kinds', 'water');
    assert.equal(await queueItem(phone, 3, 'bill').count(), 0);
    list = await openCalls();
    assert.equal(requestFor(list, 3, 'bill'), undefined, 'the bill is still open');
    assert.equal(requestFor(list, 3, 'water')?.status, 'acknowledged');

    // the whole table: two calling requests acknowledged with one tap, then all done
    await press(3, 'call');
    await expectAttr(tile(phone, 3), 'data-kinds', 'water call');
    await press(3, 'bill');
    await expectAttr(tile(phone, 3), 'data-kinds', 'water call bill');
    const before = await phone.evaluate(() => window.callbellBoard.published.length);
    await phone.getByRole('button', { name: 'Acknowledge table 3', exact: true }).click();
    await expectAttr(tile(phone, 3), 'data-status', 'acknowledged');
    const acks = await phone.evaluate((n) => window.callbellBoard.published.slice(n), before);
    assert.deepEqual(acks.map((m) => JSON.parse(m.payload)).map((c) => `${c.action}:${c.kind}:${c.call >= 1}`).sort(),
      ['ack:bill:true', 'ack:call:true'], 'one ack per calling request, each naming its call');
    await phone.getByRole('button', { name: 'Done table 3', exact: true }).click();
    await expectAttr(tile(phone, 3), 'data-status', 'idle');
    assert.equal(await queueItem(phone, 3).count(), 0);
    assert.equal((await openCalls()).filter((c) => String(c.table) === '3').length, 0);
    const dones = await phone.evaluate((n) => window.callbellBoard.published.slice(n + 2), before);
    assert.equal(dones.length, 3, 'one done per open request');
  });

  test("today's response times come from the hub's retained statistics", async () => {
    const stats = phone.locator('#stats');
    await expectAttr(stats, 'data-state', 'ok', 15000);
    await phone.waitForFunction(() => {
      const n = document.querySelectorAll('#stats .stat-n');
      return n.length === 3 && Number(n[0].textContent) >= 3 && Number(n[2].textContent) >= 1 &&
        document.querySelector('#stats').dataset.ackP50 !== '';
    }, null, { timeout: 15000 }).catch(async () => assert.fail(`stats not updated: ${await stats.innerText()}`));
    assert.match(await stats.innerText(), /To acknowledge[\s\S]*p50[\s\S]*p90/);
  });

  test('layout on a 360 px phone and a 1024×768 tablet (screenshots)', async () => {
    // a busier moment: four tables want something
    await press(4, 'bill');
    await press(3, 'water');
    await expectAttr(tile(phone, 4), 'data-status', 'calling');
    await expectAttr(tile(phone, 3), 'data-status', 'calling');
    await phone.locator('#tables-title').click(); // a tap, as staff would: unlocks the bell sound
    await phone.evaluate(() => window.scrollTo(0, 0));
    await shot(phone, 'phone');
    await shot(phone, 'phone-full', { fullPage: true });
    // nothing may overflow the 360 px width
    const widest = await phone.evaluate(() => Math.max(...[...document.querySelectorAll('body *')].map((e) => e.getBoundingClientRect().right)));
    assert.ok(widest <= 361, `content overflows the phone's width: ${widest}px`);
    const box = await phone.getByRole('button', { name: 'Acknowledge table 4', exact: true }).boundingBox();
    assert.ok(box.width >= 120 && box.height >= 120, `tile touch target too small: ${JSON.stringify(box)}`);

    const tablet = await newPage(TABLET);
    await expectAttr(tile(tablet, 4), 'data-status', 'calling');
    await tablet.locator('#tables-title').click();
    await tablet.evaluate(() => window.scrollTo(0, 0));
    await shot(tablet, 'tablet');
    // tablet: queue on the left, tables on the right, all four tiles visible without scrolling
    const q = await tablet.locator('.queue-panel').boundingBox();
    const tb = await tablet.locator('.tables-panel').boundingBox();
    assert.ok(q.x + q.width <= tb.x, 'queue and tables are not side by side on the tablet');
    for (const t of ['1', '2', '3', '4']) {
      const b = await tile(tablet, t).boundingBox();
      assert.ok(b.y + b.height <= 768, `tile ${t} is below the fold on the tablet`);
    }
    await tablet.context().close();
  });

  test('colour by age, re-alerts and device banners (states published on their own site)', async () => {
    // Another site on the same broker, so the hub of `demo` is not disturbed: this
    // test plays the hub and two table devices for site "uitest".
    const site = 'uitest';
    const now = Date.now();
    const c = await mqtt.connectAsync(env.CB_MQTT_URL, { clientId: 'web-test-' + process.pid });
    const pub = (topic, payload) => c.publishAsync(`callbell/${site}/${topic}`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1, retain: true });
    const request = (kind, call, ageS, extra = {}) => ({ kind, call, status: 'calling', count: 1, repeats: 0,
      pressed_at: now - ageS * 1000, acked_by: '', acked_at: 0, ...extra });
    const acked = (r, by) => ({ ...r, status: 'acknowledged', acked_by: by, acked_at: now - 10000 });
    const state = (table, requests, updatedAt = now) => ({ v: 1, table,
      status: requests.some((r) => r.status === 'calling') ? 'calling' : requests.length ? 'acknowledged' : 'idle',
      requests, updated_at: updatedAt });
    const t3 = [acked(request('water', 130, 500), 'Cy'), request('bill', 131, 400, { repeats: 5, count: 4 })];
    try {
      await pub('hub/status', 'online');
      await pub('table/1/state', state('1', [request('water', 101, 20)]));
      await pub('table/2/state', state('2', [request('call', 102, 100, { repeats: 1, count: 2 })]));
      await pub('table/3/state', state('3', t3));
      await pub('table/4/state', state('4', [acked(request('call', 104, 30), 'Bo')]));
      await pub('table/patio-12/state', state('patio-12', []));
      await pub('table/bad/state', '{"v":1,"table":"bad","status":"asleep","requests":[],"updated_at":1}'); // rejected, not shown
      await pub('table/old/state', '{"v":1,"table":"old","status":"idle","call":0,"count":0,"repeats":0,"pressed_at":0,"acked_by":"","acked_at":0,"updated_at":1}'); // the old form: rejected
      await pub('device/pico-a/status', 'offline');
      await pub('device/pico-a/info', { v: 1, fw: '0.1.0', tables: '1,2', uptime_s: 5 });
      await pub('device/pico-b/status', 'online');
      await pub('device/pico-b/info', { v: 1, fw: '0.1.0', tables: '3', battery_mv: 3310, low_battery: true, uptime_s: 50 });
      await pub('hub/stats', { v: 1, day: '2026-11-26', calls: 12, acked: 11, done: 10, ack_p50_s: 21.5, ack_p90_s: 95.0, done_p50_s: 140.0, done_p90_s: 300.2, updated_at: now });

      const page = await newPage(TABLET, `${BOARD}?site=${site}`);
      await expectAttr(tile(page, 1), 'data-age', 'new');
      await expectAttr(tile(page, 2), 'data-age', 'warn');
      await expectAttr(tile(page, 3), 'data-age', 'late'); // its most urgent request
      await expectAttr(tile(page, 4), 'data-age', 'acked');
      await expectAttr(tile(page, 'patio-12'), 'data-status', 'idle');
      assert.equal(await tile(page, 'bad').count(), 0, 'an invalid state was shown');
      assert.equal(await tile(page, 'old').count(), 0, 'a state in the old single-call form was shown');
      assert.equal(await page.locator('#site-name').innerText(), site);
      // each request keeps its own class, on the tile and in the queue
      assert.equal(await tileRequest(page, 3, 'bill').getAttribute('data-age'), 'late');
      assert.equal(await tileRequest(page, 3, 'water').getAttribute('data-age'), 'acked');
      assert.equal(await queueItem(page, 3, 'water').getAttribute('data-age'), 'acked');
      // one meaning per colour: new, warn, late and acked all look different
      const bg = async (t) => tile(page, t).evaluate((e) => getComputedStyle(e).backgroundColor);
      const colours = new Set([await bg(1), await bg(2), await bg(3), await bg(4)]);
      assert.equal(colours.size, 4, `new/warn/late/acked tiles share colours: ${[...colours]}`);
      const edge = async (t, k) => queueItem(page, t, k).evaluate((e) => getComputedStyle(e).borderLeftColor);
      assert.equal(await edge(3, 'bill'), await tile(page, 3).evaluate((e) => getComputedStyle(e).backgroundColor), 'a late line and a late tile differ in colour');
      assert.match(await tileRequest(page, 3, 'bill').innerText(), /↻5/);
      assert.match(await tileRequest(page, 3, 'water').innerText(), /Cy/);
      assert.match(await queueItem(page, 3, 'bill').innerText(), /5 re-alerts/);
      assert.match(await queueItem(page, 3, 'bill').innerText(), /4 presses/);
      assert.match(await tileRequest(page, 3, 'bill').locator('.timer').innerText(), /^6:4\d$/);
      assert.match(await tileRequest(page, 3, 'water').locator('.timer').innerText(), /^8:2\d$/);
      assert.deepEqual(await queueOrder(page), ['3:bill', '2:call', '1:water', '3:water', '4:call']);
      const offline = page.locator('#device-banners [data-device="pico-a"][data-problem="offline"]');
      await offline.waitFor({ timeout: 3000 });
      assert.match(await offline.innerText(), /tables 1, 2/);
      const low = page.locator('#device-banners [data-device="pico-b"][data-problem="low_battery"]');
      await low.waitFor({ timeout: 3000 });
      assert.match(await low.innerText(), /3\.31 V/);
      assert.equal(await page.locator('#hub-offline').isVisible(), false);
      await expectAttr(page.locator('#stats'), 'data-ack-p90', '95');
      assert.match(await page.locator('#stats').innerText(), /1:35/);

      // the first tap on a fresh page unlocks the bell and lands on its button: the
      // unlock banner floats, so nothing moves under the finger
      assert.equal(await page.locator('#sound-unlock').isVisible(), true, 'no sound-unlock banner on a fresh page');
      const y0 = (await queueItem(page, 3, 'bill').boundingBox()).y;
      await page.getByRole('button', { name: 'Acknowledge bill from table 3', exact: true }).click();
      await page.locator('#name-dialog').waitFor({ state: 'visible', timeout: 2000 })
        .catch(() => assert.fail('the first tap on Ack did not reach the button'));
      await page.locator('#name-cancel').click();
      assert.equal((await queueItem(page, 3, 'bill').boundingBox()).y, y0, 'the board moved under the finger');

      // a re-alert arrives live: the board rings again, for that request only
      const before = await page.evaluate(() => ({ a: window.callbellBoard.alerts, r: window.callbellBoard.realerts }));
      await pub('table/2/state', state('2', [request('call', 102, 100, { repeats: 2, count: 2 })], Date.now()));
      await page.waitForFunction((n) => window.callbellBoard.realerts === n + 1, before.r, { timeout: 3000 });
      assert.deepEqual(await page.evaluate(() => window.callbellBoard.spoken.slice(-1)), ['Reminder: table 2 is calling']);
      // a second request at a table rings as new; the one already open does not ring again
      await pub('table/1/state', state('1', [request('water', 101, 20, { count: 2 }), request('bill', 105, 0)], Date.now()));
      await page.waitForFunction((n) => window.callbellBoard.alerts === n + 1, before.a, { timeout: 3000 });
      await expectAttr(tile(page, 1), 'data-kinds', 'water bill');
      assert.deepEqual(await page.evaluate(() => window.callbellBoard.spoken.slice(-1)), ['Table 1 requests the bill']);
      assert.equal(await page.evaluate(() => window.callbellBoard.realerts), before.r + 1);
      await page.locator('#tables-title').click();
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, 'tablet-ages');

      const p2 = await newPage(PHONE, `${BOARD}?site=${site}`);
      await expectAttr(tile(p2, 3), 'data-age', 'late');
      await p2.locator('#tables-title').click();
      await p2.evaluate(() => window.scrollTo(0, 0));
      await shot(p2, 'phone-ages');
      const widest = await p2.evaluate(() => Math.max(...[...document.querySelectorAll('body *')].map((e) => e.getBoundingClientRect().right)));
      assert.ok(widest <= 361, `content overflows the phone's width: ${widest}px`);
      await p2.context().close();

      // a hub that cannot store (full disk): its own banner
      await pub('hub/status', 'degraded');
      await page.locator('#hub-offline').waitFor({ state: 'visible', timeout: 3000 });
      assert.match(await page.locator('#hub-offline').innerText(), /Hub cannot store calls/);
      // the hub's last will on that site: offline banner
      await pub('hub/status', 'offline');
      await page.waitForFunction(() => document.getElementById('hub-offline-title').textContent === 'Hub offline', null,
        { timeout: 3000 });
      await page.context().close();
    } finally {
      await c.endAsync();
    }
  });

  test('settings panel: another site, saved for the next visit', async () => {
    const page = await newPage(PHONE);
    await expectAttr(tile(page, 1), 'data-status', 'acknowledged');
    await page.getByRole('button', { name: 'Settings' }).click();
    const dlg = page.locator('#settings-dialog');
    await dlg.waitFor({ state: 'visible' });
    assert.equal(await dlg.getByLabel('Broker URL').inputValue(), BOARD.replace(/^http/, 'ws'));
    assert.equal(await dlg.getByLabel('Site').inputValue(), SITE);
    await dlg.getByLabel('Site').fill('Not A Site');
    await dlg.getByRole('button', { name: 'Save and connect' }).click();
    assert.match(await dlg.locator('#settings-error').innerText(), /Site/);
    await dlg.getByLabel('Site').fill('uitest');
    await dlg.getByRole('button', { name: 'Save and connect' }).click();
    await expectAttr(tile(page, 3), 'data-age', 'late');
    await page.locator('#hub-offline').waitFor({ state: 'visible', timeout: 3000 }); // uitest's hub is "offline"
    assert.equal(await tile(page, 'patio-12').count(), 1);
    await page.reload();
    await expectAttr(tile(page, 3), 'data-age', 'late');
    assert.equal(await page.locator('#site-name').innerText(), 'uitest');
    await page.context().close();
  });

  test('hub stopped: offline banner; hub back: banner gone, calls kept', async () => {
    const hubPid = Number(env.CB_HUB_PID);
    assert.equal(await phone.locator('#hub-offline').isVisible(), false);
    process.kill(hubPid, 'SIGTERM');
    assert.ok(await waitExit(hubPid, 10000), 'the hub did not stop on SIGTERM');
    await phone.locator('#hub-offline').waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await phone.locator('#hub-offline').innerText(), /Hub offline/);
    await shot(phone, 'phone-hub-offline');

    // two waiters close table 2 while the hub is down: a colleague first, then this board
    assert.equal(await tile(phone, 2).getAttribute('data-status'), 'acknowledged');
    const { stdout } = await cli(['done', '2', '--by', 'Bo']);
    assert.match(stdout, /waits in the broker/);
    await phone.getByRole('button', { name: 'Done table 2', exact: true }).click();

    // an ack while the hub is down: the board says the broker holds it for the hub
    assert.equal(await tile(phone, 4).getAttribute('data-status'), 'calling');
    await phone.getByRole('button', { name: 'Acknowledge table 4', exact: true }).click();
    await phone.locator('#toast').filter({ hasText: /hub is offline/ }).waitFor({ timeout: 2000 });

    const answered = await phone.evaluate(() => window.callbellBoard.replies.length);

    // a hub started again keeps the open requests (from its database) and applies the
    // commands in the order they came: the colleague's done applies; this board's done
    // names a request closed meanwhile, and the board says why the hub refused it; the
    // ack of table 4 that follows applies, and its confirmation does not hide the refusal
    const hub = startHub();
    await phone.locator('#hub-offline').waitFor({ state: 'hidden', timeout: 10000 });
    await expectAttr(tile(phone, 4), 'data-status', 'acknowledged', 10000);
    assert.equal(callFor(await openCalls(), 4)?.acked_by, 'Ana');
    await expectAttr(tile(phone, 2), 'data-status', 'idle');
    const refusal = phone.locator('#toast[data-kind="bad"]')
      .filter({ hasText: 'Table 2 · water: done refused — names a request that is no longer open (stale)' });
    await refusal.waitFor({ timeout: 10000 }).catch(async () =>
      assert.fail(`no refusal shown; toast: "${await phone.locator('#toast').innerText().catch(() => '')}"`));
    assert.equal(await refusal.getAttribute('role'), 'alert');
    await phone.waitForFunction((n) => window.callbellBoard.replies.length >= n + 2, answered, { timeout: 5000 })
      .catch(() => assert.fail('the hub did not answer both commands'));
    const replies = await phone.evaluate((n) => window.callbellBoard.replies.slice(n), answered);
    assert.deepEqual(replies.map((r) => `${r.table}:${r.action}:${r.ok}:${r.error ?? ''}`), ['2:done:false:stale', '4:ack:true:']);
    await shot(phone, 'phone-refused');
    await phone.waitForTimeout(1000);
    assert.equal(await refusal.isVisible(), true, 'the refusal went away before it could be read');

    // killed hard: the broker publishes its last will
    hub.kill('SIGKILL');
    await phone.locator('#hub-offline').waitFor({ state: 'visible', timeout: 5000 });
  });
}
