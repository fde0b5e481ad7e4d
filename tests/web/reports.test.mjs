// The reports view in Debian's chromium against a real hub: a hub of its own (site
// "reports", so the board tests' hub is untouched) on tests/web/run.sh's broker, with a
// seeded history. The charts by hour and by day are drawn (screenshot), and each CSV
// download is byte for byte what `callbell report --csv` prints for the same range.
// Also: the request the page builds decodes as docs/protocol-vectors.json says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScripts } from './load-protocol.mjs';

const env = process.env;
const R = loadScripts('reports-model.js').CallbellReports;

test('the report request the page builds carries what the hub decodes', () => {
  const vectors = JSON.parse(readFileSync(new URL('../../docs/protocol-vectors.json', import.meta.url), 'utf8'));
  const ok = vectors.hub_vectors.filter((v) => v.expect === 'ok' && v.fields.query === 'report');
  assert.ok(ok.length >= 3);
  for (const v of ok) {
    const f = v.fields;
    const built = R.buildRequest(f.id, f.reply_to, f.since, f.until, f.by);
    assert.deepEqual(JSON.parse(built), JSON.parse(v.input), `built ${built}`);
  }
  assert.throws(() => R.buildRequest('a', 'b', 0, 0, 'waiter'));
});

test('CSV fields: quoted like RFC 4180, no spreadsheet formula from a name', () => {
  assert.equal(R.csvField('Ana'), 'Ana');
  assert.equal(R.csvField('Cy, jr'), '"Cy, jr"');
  assert.equal(R.csvField('say "hi"'), '"say ""hi"""');
  assert.equal(R.csvField('=SUM(A1)'), '"\'=SUM(A1)"');
  assert.equal(R.csvField('-1'), '"\'-1"');
  assert.equal(R.csvField(''), '');
});

const ready = env.CB_BOARD_URL && env.CALLBELL_BIN && env.CB_MQTT_URL;
if (!ready) {
  test('reports view end-to-end', { skip: 'needs a broker: run bash tests/web/run.sh' }, () => {});
} else {
  const require = createRequire(new URL('../../web/package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const SITE = 'reports';
  const OUT = env.CB_OUT || new URL('./out/', import.meta.url).pathname;
  mkdirSync(OUT, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'callbell-reports-'));
  const db = join(tmp, 'hub.db');
  const utc = { ...process.env, TZ: 'UTC' }; // the hub's and the CLI's local time
  let hub;
  let browser;
  const errors = [];

  const cli = (args) => execFileSync(env.CALLBELL_BIN, [...args, '--broker', env.CB_MQTT_URL, '--site', SITE],
    { env: utc, encoding: 'utf8', timeout: 15000 });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function startHub() {
    const p = spawn(env.CALLBELL_BIN, ['hub', '--broker', env.CB_MQTT_URL, '--db', db, '--tables', '1-4',
      '--site', SITE], { env: utc, stdio: ['ignore', 'ignore', 'inherit'] });
    return p;
  }
  async function hubOnline() {
    for (let i = 0; i < 100; i++) {
      try { cli(['calls', '--json']); return; } catch { await sleep(100); }
    }
    assert.fail('the reports hub did not come online');
  }
  async function stop(p) {
    if (p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await gone;
  }

  // [id, table, kind (0 call, 1 bill, 2 water), pressed (UTC), s to ack, acked by, s to close, outcome]
  const HISTORY = [
    [1, '1', 0, '2026-11-20T12:00:00Z', 10, 'Ana', 60, 'done'],
    [2, '1', 1, '2026-11-20T12:10:00Z', 20, 'Ana', 120, 'done'],
    [3, '2', 0, '2026-11-20T12:20:00Z', 30, 'Bo', 90, 'done'],
    [4, '2', 2, '2026-11-20T12:30:00Z', null, '', 15, 'cancelled'],
    [5, '3', 0, '2026-11-20T19:00:00Z', 40, 'Bo', 300, 'done'],
    [6, '3', 1, '2026-11-20T19:05:00Z', 50, 'Ana', 100, 'cancelled'],
    [7, '1', 0, '2026-11-21T12:00:00Z', 5, 'Cy, jr', 30, 'done'],
    [8, '4', 0, '2026-11-21T12:01:00Z', 100, 'Ana', 200, 'done'],
    [9, '1', 0, '2026-11-22T09:00:00Z', 7, 'Ana', 9, 'done'] // after the range
  ];
  function seedSql() {
    return HISTORY.map(([id, table, kind, at, ack, by, close, outcome]) => {
      const p = Date.parse(at);
      return 'INSERT INTO calls(id,table_id,kind,pressed_at,count,repeats,acked_at,acked_by,closed_at,closed_by,outcome) ' +
        `VALUES(${id},'${table}',${kind},${p},1,0,${ack === null ? 0 : p + ack * 1000},'${by}',${p + close * 1000},'x','${outcome}');`;
    }).join('\n');
  }

  before(async () => {
    hub = startHub(); // creates the database, then stops for the history to go in
    await hubOnline();
    await stop(hub);
    execFileSync('sqlite3', [db], { input: seedSql() });
    hub = startHub();
    await hubOnline();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
  });

  after(async () => {
    if (browser) await browser.close();
    if (hub) await stop(hub);
    rmSync(tmp, { recursive: true, force: true });
    if (errors.length) console.log('# browser console errors:\n# ' + errors.join('\n# '));
  });

  test('the reports view charts by hour and by day; its CSVs are `callbell report --csv`', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 1400 }, timezoneId: 'UTC', acceptDownloads: true });
    const page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
    // reached from the board's header, which keeps the site
    await page.goto(`${env.CB_BOARD_URL}index.html?site=${SITE}`);
    await page.locator('#reports-link').click();
    await page.waitForURL(/reports\.html\?site=reports/);
    // the range: 20 and 21 November, both days included
    await page.locator('#since').fill('2026-11-20');
    await page.locator('#until').fill('2026-11-21');
    await page.locator('#show').click();
    for (const by of ['hour', 'day']) {
      await page.locator(`#chart-${by}[data-state="drawn"] canvas`).waitFor({ timeout: 10000 });
      await page.locator(`#csv-${by}:not([disabled])`).waitFor();
    }
    // the last answer drawn is this range's (the first, on connecting, was the last 7 days)
    await page.waitForFunction(() => document.querySelector('#table-day tr.total td:nth-child(2)')?.textContent === '8',
      null, { timeout: 10000 }).catch(() => assert.fail('the day table does not show the 8 requests of the range'));
    const legend = await page.locator('#chart-hour .u-legend').innerText();
    assert.match(legend, /to acknowledge, p50/);
    assert.deepEqual(await page.locator('#table-hour tr td:first-child').allInnerTexts(), ['12', '19', 'all']);
    await page.screenshot({ path: `${OUT}/reports.png`, fullPage: true });

    for (const by of ['hour', 'day']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#csv-${by}`).click()]);
      assert.match(download.suggestedFilename(), new RegExp(`^callbell-reports-by-${by}-2026-11-20\\.csv$`));
      const csv = readFileSync(await download.path(), 'utf8');
      const expected = cli(['report', '--since', '2026-11-20', '--until', '2026-11-22', '--by', by, '--csv']);
      assert.equal(csv, expected, `CSV by ${by}`);
      assert.match(csv, by === 'hour' ? /^hour,12,6,5,5,1,20\.0,100\.0,100\.0,90\.0,200\.0,200\.0$/m
        : /^day,2026-11-21,2,2,2,0,5\.0,100\.0,100\.0,30\.0,200\.0,200\.0$/m);
      assert.match(csv, /^all,,8,7,6,2,30\.0,100\.0,100\.0,90\.0,300\.0,300\.0\n$/m);
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}
