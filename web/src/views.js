/* views.js - the board's DOM: table tiles, the queue, banners, statistics.
 *
 * Builds nodes once and updates them in place (reconcile), so a message every second
 * does not make a tapped button vanish under a finger. Everything that decides what
 * to show lives in board-model.js; every message-derived text goes in via textContent.
 * A classic script (see protocol.js); defines window.CallbellViews.
 *
 * The page gives it a context (init): {tables, devices, pendingFor(key),
 * guarded(key), hubNow(), thresholds, tableName(tableId), onTable(tableId), onRequest(tableId, call)}.
 * thresholds ({warn_s, late_s}) and tableName (the site message's display name, or
 * null) follow the hub's site message (docs/protocol.md "site").
 */
(function (root) {
  'use strict';

  var M = root.CallbellBoardModel;
  var P = root.CallbellProtocol;
  var ctx = null;

  var KIND_LABEL = { call: 'Call', bill: 'Bill', water: 'Water' };
  var KIND_NOUN = { call: 'call', bill: 'bill', water: 'water' };
  var ICONS = {
    call: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 16v-5a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20.5a2 2 0 0 0 4 0"/><path d="M12 3v2"/></svg>',
    bill: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 3h12v18l-3-2-3 2-3-2-3 2z"/><path d="M9 8h6M9 12h6M9 16h3"/></svg>',
    water: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3s6 7 6 11.5a6 6 0 0 1-12 0C6 10 12 3 12 3z"/><path d="M9 15a3 3 0 0 0 3 3"/></svg>',
    check: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 12l5 5L19 7"/></svg>',
    repeat: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 12a8 8 0 0 1 14-5.3L20 9"/><path d="M20 4v5h-5"/><path d="M20 12a8 8 0 0 1-14 5.3L4 15"/><path d="M4 20v-5h5"/></svg>',
    battery: '<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="2" y="7" width="17" height="10" rx="2"/><path d="M22 10v4"/><path d="M5 10v4"/></svg>',
    plug: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 3l18 18"/><path d="M8.5 8.5A6 6 0 0 0 12 20"/><path d="M16 12a4 4 0 0 0-4-4"/><path d="M12 4a8 8 0 0 1 8 8"/></svg>'
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function icon(name) {
    var span = el('span', 'icon');
    span.innerHTML = ICONS[name] || ''; /* constant markup, never message data */
    return span;
  }
  function setIcon(span, name) {
    if (span.dataset.icon === name) return;
    span.dataset.icon = name;
    span.innerHTML = ICONS[name] || '';
  }
  function kindLabel(kind) { return KIND_LABEL[kind] || kind; }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  /* Keeps container's children keyed by data attribute `key` in the order of `keys`. */
  function reconcile(container, keys, key, create, update, items) {
    var existing = new Map();
    Array.prototype.forEach.call(container.children, function (c) { existing.set(c.dataset[key], c); });
    var want = new Set(keys);
    existing.forEach(function (c, k) { if (!want.has(k)) c.remove(); });
    keys.forEach(function (k, i) {
      var node = existing.get(k);
      if (!node) node = create(items[i]);
      update(node, items[i]);
      if (container.children[i] !== node) container.insertBefore(node, container.children[i] || null);
    });
  }

  /* ---- tiles: one per table, a row per open request ---------------------------- */
  function createTile(st) {
    var id = st.table;
    var tile = el('article', 'tile');
    tile.dataset.table = id;
    var head = el('div', 'tile-head');
    head.appendChild(el('span', 'tile-label', 'Table'));
    head.appendChild(el('span', 'tile-num', id));
    tile.appendChild(head);
    tile.appendChild(el('div', 'tile-free', 'Free'));
    tile.appendChild(el('ul', 'tile-requests'));
    var hint = el('div', 'tile-hint');
    hint.setAttribute('aria-hidden', 'true');
    tile.appendChild(hint);
    /* the whole tile is the touch target for the whole table; its name says what a tap does */
    var btn = el('button', 'tile-action');
    btn.type = 'button';
    btn.addEventListener('click', function () { ctx.onTable(id); });
    tile.appendChild(btn);
    return tile;
  }

  function createTileRequest(item) {
    var li = el('li', 'tile-req');
    li.dataset.call = String(item.request.call);
    var line = el('div', 'tile-req-line');
    line.appendChild(el('span', 'age-dot'));
    line.appendChild(el('span', 'icon'));
    line.appendChild(el('span', 'kind-label'));
    line.appendChild(el('span', 'timer'));
    li.appendChild(line);
    var meta = el('div', 'tile-req-meta');
    var by = el('span', 'acked');
    by.appendChild(icon('check'));
    by.appendChild(el('span', 'acked-by'));
    meta.appendChild(by);
    var rep = el('span', 'repeats');
    rep.appendChild(icon('repeat'));
    rep.appendChild(el('span', 'repeats-n'));
    meta.appendChild(rep);
    meta.appendChild(el('span', 'presses'));
    li.appendChild(meta);
    return li;
  }

  function updateTileRequest(li, item) {
    var r = item.request;
    li.dataset.kind = r.kind;
    li.dataset.status = r.status;
    setIcon(li.querySelector('.icon'), r.kind);
    li.querySelector('.kind-label').textContent = kindLabel(r.kind);
    li.querySelector('.timer').dataset.since = String(r.pressed_at);
    var by = li.querySelector('.acked');
    by.hidden = r.status !== 'acknowledged';
    by.querySelector('.acked-by').textContent = r.acked_by;
    var rep = li.querySelector('.repeats');
    rep.hidden = !(r.repeats > 0);
    rep.querySelector('.repeats-n').textContent = '↻' + r.repeats;
    rep.title = 'Re-alerted ' + plural(r.repeats, 'time', 'times');
    var presses = li.querySelector('.presses');
    presses.hidden = !(r.count > 1);
    presses.textContent = '×' + r.count;
    presses.title = plural(r.count, 'press', 'presses');
    li.querySelector('.tile-req-meta').hidden = by.hidden && rep.hidden && presses.hidden;
  }

  /* A table's label and number, or its display name from the site message (which a
   * reload may change at any time): "Table / 7", or "Patio 2" on up to two lines. */
  function showTableName(label, num, id) {
    var name = ctx.tableName ? ctx.tableName(id) : null;
    var text = name || id;
    if (num.textContent !== text) num.textContent = text;
    num.title = name ? name + ' (table ' + id + ')' : 'Table ' + id;
    num.classList.toggle('named', !!name);
    num.classList.toggle('long', !name && id.length > 3);
    label.hidden = !!name;
    return text;
  }

  function updateTile(tile, st) {
    var head = tile.querySelector('.tile-head');
    showTableName(head.querySelector('.tile-label'), head.querySelector('.tile-num'), st.table);
    head.classList.toggle('long', head.querySelector('.tile-num').classList.contains('long'));
    var open = st.requests.length > 0;
    var action = M.tableAction(st);
    var targets = action ? M.tableTargets(st, action) : [];
    var pending = targets.some(function (r) { return ctx.pendingFor(M.requestKey(st.table, r)); });
    var guarded = action === 'done' && targets.some(function (r) { return ctx.guarded(M.requestKey(st.table, r)); });
    tile.dataset.status = st.status;
    tile.dataset.kinds = st.requests.map(function (r) { return r.kind; }).join(' ');
    tile.dataset.count = String(st.requests.length);
    if (pending) tile.dataset.pending = action; else delete tile.dataset.pending;
    tile.querySelector('.tile-free').hidden = open;
    var items = st.requests.map(function (r) { return { table: st.table, request: r }; });
    reconcile(tile.querySelector('.tile-requests'), items.map(function (x) { return String(x.request.call); }), 'call',
      createTileRequest, updateTileRequest, items);
    var hint = tile.querySelector('.tile-hint');
    var btn = tile.querySelector('.tile-action');
    btn.hidden = !open;
    btn.disabled = !open || pending || guarded;
    if (action === 'ack') {
      btn.setAttribute('aria-label', 'Acknowledge table ' + st.table);
      hint.textContent = pending ? 'Sending…' : 'Tap to acknowledge' + (targets.length > 1 ? ' all' : '');
    } else if (action === 'done') {
      btn.setAttribute('aria-label', 'Done table ' + st.table);
      hint.textContent = pending ? 'Sending…' : targets.length > 1 ? 'Tap when all are done' : 'Tap when done';
    } else {
      btn.removeAttribute('aria-label');
      hint.textContent = '';
    }
  }

  /* ---- queue: one line per open request ----------------------------------------- */
  function createLine(item) {
    var li = el('li', 'call');
    li.dataset.call = String(item.request.call);
    li.dataset.forTable = item.table;
    var num = el('div', 'call-table');
    num.appendChild(el('span', 'call-table-label', 'Table'));
    num.appendChild(el('span', 'call-table-num', item.table));
    li.appendChild(num);
    var main = el('div', 'call-main');
    var kind = el('div', 'call-kind');
    kind.appendChild(el('span', 'icon'));
    kind.appendChild(el('span', 'kind-label'));
    main.appendChild(kind);
    var meta = el('div', 'call-meta');
    var by = el('span', 'acked');
    by.appendChild(icon('check'));
    by.appendChild(el('span', 'acked-by'));
    meta.appendChild(by);
    var rep = el('span', 'repeats');
    rep.appendChild(icon('repeat'));
    rep.appendChild(el('span', 'repeats-text'));
    meta.appendChild(rep);
    meta.appendChild(el('span', 'presses'));
    main.appendChild(meta);
    li.appendChild(main);
    li.appendChild(el('div', 'timer'));
    var btn = el('button', 'call-action');
    btn.type = 'button';
    var call = item.request.call;
    btn.addEventListener('click', function () { ctx.onRequest(item.table, call); });
    li.appendChild(btn);
    return li;
  }

  function updateLine(li, item) {
    var r = item.request;
    var key = M.requestKey(item.table, r);
    var p = ctx.pendingFor(key);
    showTableName(li.querySelector('.call-table-label'), li.querySelector('.call-table-num'), item.table);
    li.dataset.status = r.status;
    li.dataset.kind = r.kind;
    if (p) li.dataset.pending = p.action; else delete li.dataset.pending;
    setIcon(li.querySelector('.call-kind .icon'), r.kind);
    li.querySelector('.call-kind .kind-label').textContent = kindLabel(r.kind);
    var by = li.querySelector('.acked');
    by.hidden = r.status !== 'acknowledged';
    by.querySelector('.acked-by').textContent = r.acked_by;
    var rep = li.querySelector('.repeats');
    rep.hidden = !(r.repeats > 0);
    rep.querySelector('.repeats-text').textContent = plural(r.repeats, 're-alert', 're-alerts');
    var pr = li.querySelector('.presses');
    pr.hidden = !(r.count > 1);
    pr.textContent = plural(r.count, 'press', 'presses');
    li.querySelector('.timer').dataset.since = String(r.pressed_at);
    var btn = li.querySelector('.call-action');
    btn.disabled = !!p || (r.status === 'acknowledged' && ctx.guarded(key));
    var noun = KIND_NOUN[r.kind] || r.kind;
    if (r.status === 'calling') {
      btn.textContent = p ? '…' : 'Ack';
      btn.setAttribute('aria-label', 'Acknowledge ' + noun + ' from table ' + item.table);
    } else {
      btn.textContent = p ? '…' : 'Done';
      btn.setAttribute('aria-label', 'Done with ' + noun + ' from table ' + item.table);
    }
  }

  function renderTiles(container) {
    var ids = Array.from(ctx.tables.keys()).sort(M.naturalCompare);
    reconcile(container, ids, 'table', createTile, updateTile, ids.map(function (id) { return ctx.tables.get(id); }));
    return ids.length;
  }

  function renderQueue(container) {
    var lines = M.queueOrder(ctx.tables);
    reconcile(container, lines.map(function (x) { return String(x.request.call); }), 'call', createLine, updateLine, lines);
    return lines.length;
  }

  /* Every second: the timers, and each request's, tile's and line's age class. */
  function tick(scope) {
    var now = ctx.hubNow();
    var nodes = scope.querySelectorAll('[data-call] .timer');
    for (var i = 0; i < nodes.length; i++) {
      var t = nodes[i];
      var holder = t.closest('[data-call]');
      var since = Number(t.dataset.since || 0);
      var s = P.waitingSeconds(since, now);
      t.textContent = M.fmtDuration(s);
      t.setAttribute('aria-label', 'waiting ' + M.fmtDuration(s));
      holder.dataset.age = M.requestAge({ pressed_at: since, status: holder.dataset.status }, now, ctx.thresholds);
    }
    var tiles = scope.querySelectorAll('.tile[data-table]');
    for (var k = 0; k < tiles.length; k++) {
      var st = ctx.tables.get(tiles[k].dataset.table);
      tiles[k].dataset.age = st ? M.tableAge(st, now, ctx.thresholds) : '';
    }
  }

  /* ---- banners -------------------------------------------------------------------- */
  function renderDeviceBanners(box) {
    box.textContent = '';
    var ids = Array.from(ctx.devices.keys()).sort(M.naturalCompare);
    ids.forEach(function (id) {
      var d = ctx.devices.get(id);
      var where = d.info && d.info.tables ? ' (table' + (d.info.tables.indexOf(',') >= 0 ? 's ' : ' ') +
        d.info.tables.split(',').join(', ') + ')' : '';
      if (d.status === 'offline') {
        var b = el('div', 'banner banner-warn');
        b.dataset.device = id;
        b.dataset.problem = 'offline';
        b.appendChild(icon('plug'));
        b.appendChild(el('strong', null, 'Button offline'));
        b.appendChild(document.createTextNode(' ' + id + where + ' — guests there cannot call.'));
        box.appendChild(b);
      } else if (d.info && d.info.low_battery) {
        var lb = el('div', 'banner banner-warn');
        lb.dataset.device = id;
        lb.dataset.problem = 'low_battery';
        lb.appendChild(icon('battery'));
        lb.appendChild(el('strong', null, 'Low battery'));
        var volts = d.info.battery_mv !== undefined ? ' (' + (d.info.battery_mv / 1000).toFixed(2) + ' V)' : '';
        lb.appendChild(document.createTextNode(' ' + id + where + volts + ' — charge it soon.'));
        box.appendChild(lb);
      }
    });
  }

  /* ---- statistics ----------------------------------------------------------------- */
  function fmtSeconds(x) {
    if (x === null || x === undefined) return '—';
    if (x < 60) return (Math.round(x * 10) / 10).toString().replace(/\.0$/, '') + ' s';
    return M.fmtDuration(Math.round(x));
  }

  function renderStats(box, stats, connected) {
    if (!stats) {
      box.dataset.state = 'none';
      box.textContent = '';
      box.appendChild(el('p', 'empty', connected ? 'No statistics from the hub yet.' : '—'));
      return;
    }
    box.dataset.state = 'ok';
    box.dataset.ackP50 = stats.ack_p50_s === null ? '' : String(stats.ack_p50_s);
    box.dataset.ackP90 = stats.ack_p90_s === null ? '' : String(stats.ack_p90_s);
    box.textContent = '';
    var totals = el('div', 'stats-totals');
    [['requests', stats.calls], ['acknowledged', stats.acked], ['done', stats.done]].forEach(function (x) {
      var t = el('div', 'stat');
      t.appendChild(el('span', 'stat-n', String(x[1])));
      t.appendChild(el('span', 'stat-l', x[0]));
      totals.appendChild(t);
    });
    box.appendChild(totals);

    var vals = [stats.ack_p50_s, stats.ack_p90_s, stats.done_p50_s, stats.done_p90_s].filter(function (v) { return v !== null; });
    var max = Math.max.apply(null, [60].concat(vals));
    var chart = el('div', 'chart');
    chart.setAttribute('role', 'img');
    chart.setAttribute('aria-label', 'To acknowledge: median ' + fmtSeconds(stats.ack_p50_s) + ', 90th percentile ' +
      fmtSeconds(stats.ack_p90_s) + '. To done: median ' + fmtSeconds(stats.done_p50_s) + ', 90th percentile ' + fmtSeconds(stats.done_p90_s) + '.');
    [['To acknowledge', stats.ack_p50_s, stats.ack_p90_s, 'ack'], ['To done', stats.done_p50_s, stats.done_p90_s, 'done']].forEach(function (row) {
      var r = el('div', 'chart-row');
      r.dataset.metric = row[3];
      r.appendChild(el('div', 'chart-title', row[0]));
      [['p50', row[1]], ['p90', row[2]]].forEach(function (bar) {
        var line = el('div', 'chart-line');
        line.appendChild(el('span', 'chart-key', bar[0]));
        var track = el('span', 'chart-track');
        var fill = el('span', 'chart-fill ' + bar[0]);
        var v = bar[1];
        fill.style.width = v === null ? '0' : Math.max(2, Math.round(v / max * 100)) + '%';
        /* a waiting time coloured by the same rule as a waiting guest */
        if (v !== null) fill.dataset.age = P.ageClass(Math.floor(v), false, ctx.thresholds);
        track.appendChild(fill);
        line.appendChild(track);
        line.appendChild(el('span', 'chart-val', fmtSeconds(v)));
        r.appendChild(line);
      });
      chart.appendChild(r);
    });
    box.appendChild(chart);
    box.appendChild(el('p', 'stats-day', stats.day + ' · p50: half of the requests were faster · p90: nine in ten were'));
  }

  root.CallbellViews = {
    init: function (context) { ctx = context; },
    renderTiles: renderTiles,
    renderQueue: renderQueue,
    renderDeviceBanners: renderDeviceBanners,
    renderStats: renderStats,
    tick: tick,
    kindLabel: kindLabel
  };
})(window);
