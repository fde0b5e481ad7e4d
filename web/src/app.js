/* app.js - callbell staff board.
 *
 * Everything shown comes from retained MQTT messages (docs/protocol.md), so a
 * reload, a new tablet or a reconnect shows the same board:
 *   callbell/<site>/table/+/state      one tile per table, the queue of open calls
 *   callbell/<site>/hub/status         hub offline banner (also when never seen)
 *   callbell/<site>/hub/stats          today's response times
 *   callbell/<site>/device/+/status    device offline banners
 *   callbell/<site>/device/+/info      low battery banners
 * Staff actions are cmd messages to callbell/<site>/table/<t>/cmd (QoS 1); the hub
 * answers with a new retained state.
 *
 * A classic script (see protocol.js for why); needs mqtt.min.js and protocol.js.
 */
(function () {
  'use strict';

  var P = window.CallbellProtocol;
  var AGE_WARN_S = 60;    /* calm below, amber from here */
  var AGE_LATE_S = 180;   /* red from here */
  var HUB_GRACE_MS = 1500; /* wait this long for a retained hub/status before "no hub" */
  var CMD_TIMEOUT_MS = 5000;
  var DONE_GUARD_MS = 800; /* a double tap must not ack and close in one go */

  var KIND_LABEL = { call: 'Call', bill: 'Bill', water: 'Water' };
  var KIND_SPEECH = {
    call: 'Table %s is calling',
    bill: 'Table %s requests the bill',
    water: 'Table %s asks for water'
  };
  var ICONS = {
    call: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 16v-5a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20.5a2 2 0 0 0 4 0"/><path d="M12 3v2"/></svg>',
    bill: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 3h12v18l-3-2-3 2-3-2-3 2z"/><path d="M9 8h6M9 12h6M9 16h3"/></svg>',
    water: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3s6 7 6 11.5a6 6 0 0 1-12 0C6 10 12 3 12 3z"/><path d="M9 15a3 3 0 0 0 3 3"/></svg>',
    check: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 12l5 5L19 7"/></svg>',
    repeat: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 12a8 8 0 0 1 14-5.3L20 9"/><path d="M20 4v5h-5"/><path d="M20 12a8 8 0 0 1-14 5.3L4 15"/><path d="M4 20v-5h5"/></svg>',
    battery: '<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="2" y="7" width="17" height="10" rx="2"/><path d="M22 10v4"/><path d="M5 10v4"/></svg>',
    plug: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 3l18 18"/><path d="M8.5 8.5A6 6 0 0 0 12 20"/><path d="M16 12a4 4 0 0 0-4-4"/><path d="M12 4a8 8 0 0 1 8 8"/></svg>'
  };

  /* ---- settings ------------------------------------------------------------- */
  var KEY = {
    broker: 'callbell.broker', site: 'callbell.site', user: 'callbell.user', pass: 'callbell.pass',
    staff: 'callbell.staff', sound: 'callbell.sound', speech: 'callbell.speech'
  };
  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) {
      try {
        if (v === null || v === undefined || v === '') window.localStorage.removeItem(k);
        else window.localStorage.setItem(k, String(v));
      } catch (e) { /* private mode: settings last for this page only */ }
    }
  };

  function defaultBroker() {
    if (location.host) return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/';
    return 'ws://127.0.0.1:9001/';
  }

  function first() {
    for (var i = 0; i < arguments.length; i++) {
      if (arguments[i] !== null && arguments[i] !== undefined) return arguments[i];
    }
    return null;
  }

  function loadSettings() {
    var q = new URLSearchParams(location.search);
    return {
      broker: first(q.get('broker'), store.get(KEY.broker), defaultBroker()),
      site: first(q.get('site'), store.get(KEY.site), 'demo'),
      user: first(q.get('user'), store.get(KEY.user), ''),
      pass: first(q.get('pass'), store.get(KEY.pass), '')
    };
  }

  var settings = loadSettings();
  var staff = store.get(KEY.staff) || '';
  var soundOn = store.get(KEY.sound) !== 'off';
  var speechOn = store.get(KEY.speech) === 'on';

  /* ---- board state ------------------------------------------------------------ */
  var tables = new Map();   /* table id -> decoded state */
  var devices = new Map();  /* device id -> {status, info} */
  var hubStatus = 'unknown'; /* online | degraded | offline | absent | unknown */
  var stats = null;
  var pending = new Map();  /* table id -> {action, call, timer} */
  var guardUntil = new Map(); /* table id -> ms: done disabled until then */
  var clockSamples = [];    /* browser now - hub updated_at of live messages */
  var clockOffset = 0;
  var client = null;
  var connected = false;
  var everConnected = false;
  var hubTimer = null;
  var brokerBannerTimer = null;
  var lastError = '';
  var debug = { alerts: 0, realerts: 0, spoken: [], published: [] };
  window.callbellBoard = debug; /* read by the Playwright tests */

  var $ = function (id) { return document.getElementById(id); };

  /* ---- clock ------------------------------------------------------------------ */
  /* Waiting times are hub-clock differences; the browser's clock may be off.
   * Live (not retained) states carry updated_at ~ now on the hub, so the smallest
   * recent (browser - hub) difference estimates the offset plus the network delay. */
  function noteHubClock(hubMs) {
    if (!hubMs) return;
    clockSamples.push(Date.now() - hubMs);
    if (clockSamples.length > 20) clockSamples.shift();
    clockOffset = Math.min.apply(null, clockSamples);
    if (Math.abs(clockOffset) < 1500) clockOffset = 0; /* same machine or NTP: trust it */
  }
  function hubNow() { return Date.now() - clockOffset; }
  function ageSeconds(sinceMs) { return sinceMs ? Math.max(0, Math.floor((hubNow() - sinceMs) / 1000)) : 0; }
  function ageClass(s) { return s >= AGE_LATE_S ? 'late' : s >= AGE_WARN_S ? 'warn' : 'fresh'; }
  function fmtDuration(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var mm = h ? String(m).padStart(2, '0') : String(m);
    return (h ? h + ':' : '') + mm + ':' + String(sec).padStart(2, '0');
  }
  function fmtSeconds(x) {
    if (x === null || x === undefined) return '—';
    if (x < 60) return (Math.round(x * 10) / 10).toString().replace(/\.0$/, '') + ' s';
    return fmtDuration(Math.round(x));
  }

  function naturalCompare(a, b) {
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
  }

  /* ---- sound and speech ------------------------------------------------------- */
  var audioCtx = null;
  function unlockAudio() {
    if (!soundOn) return;
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    try {
      if (!audioCtx) audioCtx = new AC();
      if (audioCtx.state === 'suspended') audioCtx.resume().then(updateUnlockBanner, function () {});
    } catch (e) { audioCtx = null; }
    updateUnlockBanner();
  }
  function audioReady() { return audioCtx && audioCtx.state === 'running'; }
  function updateUnlockBanner() {
    var show = soundOn && !!(window.AudioContext || window.webkitAudioContext) && !audioReady() && openCalls().length > 0;
    $('sound-unlock').hidden = !show;
  }
  function tone(freq, at, dur, gain) {
    var o = audioCtx.createOscillator();
    var g = audioCtx.createGain();
    o.type = 'sine';
    o.frequency.setValueAtTime(freq, at);
    g.gain.setValueAtTime(0.0001, at);
    g.gain.exponentialRampToValueAtTime(gain, at + 0.015);
    g.gain.exponentialRampToValueAtTime(0.0001, at + dur);
    o.connect(g);
    g.connect(audioCtx.destination);
    o.start(at);
    o.stop(at + dur + 0.05);
  }
  function chime(kind) {
    if (!soundOn) return;
    if (!audioReady()) { updateUnlockBanner(); return; }
    var t = audioCtx.currentTime + 0.02;
    if (kind === 'realert') {
      /* three quick rising pings: more urgent than a new call */
      tone(988, t, 0.25, 0.35); tone(988, t + 0.2, 0.25, 0.35); tone(1319, t + 0.4, 0.6, 0.4);
    } else {
      /* classic two-tone "ding-dong" */
      tone(1319, t, 0.9, 0.4); tone(1047, t + 0.28, 1.2, 0.35);
    }
  }
  function speak(text) {
    debug.spoken.push(text);
    if (!speechOn || !('speechSynthesis' in window)) return;
    try {
      var u = new SpeechSynthesisUtterance(text);
      u.lang = 'en';
      u.rate = 1;
      window.speechSynthesis.speak(u);
    } catch (e) { /* no voices: the bell is enough */ }
  }
  function tableSpoken(id) { return id.replace(/[-_]/g, ' '); }
  function announce(st, kind) {
    if (kind === 'realert') debug.realerts++; else debug.alerts++;
    chime(kind);
    var phrase = (KIND_SPEECH[st.kind] || KIND_SPEECH.call).replace('%s', tableSpoken(st.table));
    if (kind === 'realert') phrase = 'Reminder: ' + phrase.charAt(0).toLowerCase() + phrase.slice(1);
    speak(phrase);
  }

  /* ---- toast ------------------------------------------------------------------- */
  var toastTimer = null;
  function toast(msg, kind) {
    var el = $('toast');
    el.textContent = msg;
    el.dataset.kind = kind || 'info';
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, 4000);
  }

  /* ---- MQTT ------------------------------------------------------------------ */
  function topics() {
    var base = 'callbell/' + settings.site + '/';
    return [base + 'table/+/state', base + 'hub/status', base + 'hub/stats', base + 'device/+/status', base + 'device/+/info'];
  }

  function resetBoard() {
    tables.clear(); devices.clear(); pending.forEach(function (p) { clearTimeout(p.timer); }); pending.clear();
    guardUntil.clear(); clockSamples = []; clockOffset = 0; stats = null; hubStatus = 'unknown';
    $('tiles').textContent = ''; $('queue').textContent = '';
  }

  function connect() {
    if (client) { try { client.end(true); } catch (e) { /* already gone */ } client = null; }
    connected = false; everConnected = false; lastError = '';
    clearTimeout(hubTimer);
    resetBoard();
    $('site-name').textContent = settings.site;
    if (!P.isId(settings.site)) {
      setConn('offline', 'Bad site');
      lastError = 'site "' + settings.site + '" is not a valid site id ([a-z0-9_-], up to 32).';
      render();
      return;
    }
    if (!/^wss?:\/\//i.test(settings.broker)) {
      setConn('offline', 'Bad URL');
      lastError = 'broker URL must start with ws:// or wss://';
      render();
      return;
    }
    setConn('connecting', 'Connecting…');
    var opts = {
      clientId: 'board-' + Math.random().toString(16).slice(2, 10),
      clean: true,
      keepalive: 30,
      protocolVersion: 4,
      reconnectPeriod: 2000,
      connectTimeout: 8000,
      resubscribe: false /* we subscribe on every connect ourselves */
    };
    if (settings.user) opts.username = settings.user;
    if (settings.pass) opts.password = settings.pass;
    var c;
    try {
      c = window.mqtt.connect(settings.broker, opts);
    } catch (e) {
      setConn('offline', 'Bad URL');
      lastError = String(e && e.message || e);
      render();
      return;
    }
    client = c;
    c.on('connect', function () {
      if (client !== c) return;
      connected = true; everConnected = true; lastError = '';
      setConn('online', 'Live');
      hubStatus = 'unknown';
      c.subscribe(topics(), { qos: 1 }, function (err) {
        if (client !== c) return;
        if (err) { lastError = 'subscribe failed: ' + (err.message || err); render(); return; }
        /* Retained messages follow the SUBACK; no hub/status by then means no hub. */
        clearTimeout(hubTimer);
        hubTimer = setTimeout(function () {
          if (client === c && hubStatus === 'unknown') { hubStatus = 'absent'; render(); }
        }, HUB_GRACE_MS);
      });
      render();
    });
    c.on('message', function (topic, payload, packet) {
      if (client !== c) return;
      try { onMessage(topic, payload, packet); } catch (e) { console.error('callbell: message', topic, e); }
    });
    c.on('reconnect', function () { if (client === c) setConn('connecting', 'Reconnecting…'); });
    c.on('close', function () {
      if (client !== c) return;
      connected = false;
      clearTimeout(hubTimer);
      setConn(everConnected ? 'offline' : 'connecting', everConnected ? 'Offline' : 'Connecting…');
      render();
    });
    c.on('error', function (err) {
      if (client !== c) return;
      lastError = err && err.message ? err.message : String(err);
      render();
    });
  }

  function setConn(state, text) {
    document.body.dataset.conn = state;
    $('conn').dataset.state = state;
    $('conn-text').textContent = text;
  }

  function onMessage(topic, payload, packet) {
    var t = P.decodeTopic(topic);
    if (!t.ok || t.value.site !== settings.site) return;
    var id = t.value.id;
    var empty = !payload || payload.length === 0; /* retained message cleared */
    var retained = !!(packet && packet.retain);
    switch (t.value.type) {
      case 'state': {
        if (empty) { tables.delete(id); break; }
        var r = P.decodeState(payload);
        if (!r.ok) { console.warn('callbell: bad state on', topic, r.error); return; }
        if (r.value.table !== id) { console.warn('callbell: state for', r.value.table, 'on', topic); return; }
        applyState(r.value, retained);
        break;
      }
      case 'hub_status': {
        if (empty) { hubStatus = 'absent'; break; }
        var h = P.decodeOnline(payload);
        hubStatus = h.ok ? h.value : 'offline';
        break;
      }
      case 'hub_stats': {
        if (empty) { stats = null; break; }
        var s = P.decodeStats(payload);
        if (!s.ok) { console.warn('callbell: bad stats', s.error); return; }
        stats = s.value;
        break;
      }
      case 'device_status': {
        var d = devices.get(id) || {};
        if (empty) d.status = undefined;
        else { var ds = P.decodeOnline(payload); d.status = ds.ok ? ds.value : 'offline'; }
        devices.set(id, d);
        break;
      }
      case 'device_info': {
        var dev = devices.get(id) || {};
        if (empty) dev.info = undefined;
        else {
          var inf = P.decodeInfo(payload);
          if (!inf.ok) { console.warn('callbell: bad info on', topic, inf.error); return; }
          dev.info = inf.value;
        }
        devices.set(id, dev);
        break;
      }
      default:
        return;
    }
    scheduleRender();
  }

  function applyState(st, retained) {
    var prev = tables.get(st.table);
    if (!retained) noteHubClock(st.updated_at);
    tables.set(st.table, st);

    /* Ring for news only: not for the retained snapshot of a page that just loaded. */
    if (st.status === 'calling' && (!retained || prev)) {
      if (!prev || prev.status === 'idle' || prev.call !== st.call) announce(st, 'new');
      else if (st.repeats > prev.repeats) announce(st, 'realert');
      else if (prev.kind !== st.kind || prev.status === 'acknowledged') announce(st, 'new');
    }
    if (prev && prev.status === 'calling' && st.status === 'acknowledged') {
      guardUntil.set(st.table, Date.now() + DONE_GUARD_MS);
      setTimeout(scheduleRender, DONE_GUARD_MS + 20);
    }
    var p = pending.get(st.table);
    if (p && (!prev || prev.status !== st.status || prev.call !== st.call || prev.acked_by !== st.acked_by)) {
      clearTimeout(p.timer);
      pending.delete(st.table);
    }
  }

  /* ---- staff actions ------------------------------------------------------------ */
  function act(tableId, action) {
    var st = tables.get(tableId);
    if (!st || st.status === 'idle') return;
    if (action === 'done' && (guardUntil.get(tableId) || 0) > Date.now()) return;
    if (!staff) {
      askName(function () { act(tableId, action); });
      return;
    }
    if (!client || !connected) {
      toast('Not connected to the broker — try again in a moment.', 'bad');
      return;
    }
    var payload;
    try {
      payload = P.buildCmd(action, staff, st.call);
    } catch (e) {
      toast('Cannot send: your name is not valid (' + e.message + ').', 'bad');
      return;
    }
    var topic = P.topicFor('cmd', settings.site, tableId);
    var old = pending.get(tableId);
    if (old) clearTimeout(old.timer);
    var entry = { action: action, call: st.call, timer: null };
    entry.timer = setTimeout(function () {
      if (pending.get(tableId) !== entry) return;
      pending.delete(tableId);
      toast('No answer from the hub for table ' + tableId + '. Is the hub running?', 'bad');
      render();
    }, CMD_TIMEOUT_MS);
    pending.set(tableId, entry);
    debug.published.push({ topic: topic, payload: payload });
    client.publish(topic, payload, { qos: 1 }, function (err) {
      if (err) {
        if (pending.get(tableId) === entry) { clearTimeout(entry.timer); pending.delete(tableId); }
        toast('Sending failed: ' + (err.message || err), 'bad');
        render();
      }
    });
    render();
  }

  var nameCallback = null;
  function askName(then) {
    nameCallback = then || null;
    var dlg = $('name-dialog');
    $('staff-input').value = staff;
    $('name-error').textContent = '';
    if (!dlg.open) dlg.showModal();
    $('staff-input').focus();
  }

  function setStaff(name) {
    staff = name;
    store.set(KEY.staff, name);
    $('staff-label').textContent = name || 'Set name';
  }

  /* ---- rendering -------------------------------------------------------------- */
  var renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(function () { renderQueued = false; render(); }, 0);
  }

  function openCalls() {
    var list = [];
    tables.forEach(function (st) { if (st.status !== 'idle') list.push(st); });
    list.sort(function (a, b) { return (a.pressed_at - b.pressed_at) || naturalCompare(a.table, b.table); });
    return list;
  }

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

  function createTile(id) {
    var tile = el('article', 'tile');
    tile.dataset.table = id;
    var head = el('div', 'tile-head');
    head.appendChild(el('span', 'tile-label', 'Table'));
    var num = el('span', 'tile-num', id);
    num.title = 'Table ' + id;
    if (id.length > 3) { num.classList.add('long'); head.classList.add('long'); }
    head.appendChild(num);
    tile.appendChild(head);
    var kind = el('div', 'kind');
    kind.appendChild(el('span', 'icon'));
    kind.appendChild(el('span', 'kind-label'));
    tile.appendChild(kind);
    var info = el('div', 'tile-info');
    info.appendChild(el('span', 'timer'));
    var rep = el('span', 'repeats');
    rep.appendChild(icon('repeat'));
    rep.appendChild(el('span', 'repeats-n'));
    info.appendChild(rep);
    tile.appendChild(info);
    var by = el('div', 'acked');
    by.appendChild(icon('check'));
    by.appendChild(el('span', 'acked-by'));
    tile.appendChild(by);
    var hint = el('div', 'tile-hint');
    hint.setAttribute('aria-hidden', 'true');
    tile.appendChild(hint);
    /* the whole tile is the touch target; its name says what a tap does */
    var btn = el('button', 'tile-action');
    btn.type = 'button';
    btn.addEventListener('click', function () {
      var st = tables.get(id);
      if (st) act(id, st.status === 'calling' ? 'ack' : 'done');
    });
    tile.appendChild(btn);
    return tile;
  }

  function updateTile(tile, st) {
    var open = st.status !== 'idle';
    var p = pending.get(st.table);
    tile.dataset.status = st.status;
    tile.dataset.kind = open ? st.kind : '';
    tile.dataset.call = String(st.call);
    if (p) tile.dataset.pending = p.action; else delete tile.dataset.pending;
    var kindEl = tile.querySelector('.kind');
    kindEl.querySelector('.icon').innerHTML = open ? ICONS[st.kind] || '' : '';
    kindEl.querySelector('.kind-label').textContent = open ? KIND_LABEL[st.kind] || st.kind : 'Free';
    tile.querySelector('.timer').dataset.since = open ? String(st.pressed_at) : '';
    var rep = tile.querySelector('.repeats');
    rep.hidden = !(open && st.repeats > 0);
    rep.querySelector('.repeats-n').textContent = '×' + st.repeats;
    rep.title = 'Re-alerted ' + st.repeats + (st.repeats === 1 ? ' time' : ' times');
    var by = tile.querySelector('.acked');
    by.hidden = st.status !== 'acknowledged';
    by.querySelector('.acked-by').textContent = st.acked_by;
    var hint = tile.querySelector('.tile-hint');
    var btn = tile.querySelector('.tile-action');
    btn.hidden = !open;
    var guarded = st.status === 'acknowledged' && (guardUntil.get(st.table) || 0) > Date.now();
    btn.disabled = !open || !!p || guarded;
    if (st.status === 'calling') {
      btn.setAttribute('aria-label', 'Acknowledge table ' + st.table);
      hint.textContent = p ? 'Sending…' : 'Tap to acknowledge';
    } else if (st.status === 'acknowledged') {
      btn.setAttribute('aria-label', 'Done table ' + st.table);
      hint.textContent = p ? 'Sending…' : 'Tap when done';
    } else {
      btn.removeAttribute('aria-label');
      hint.textContent = '';
    }
  }

  function createCall(id) {
    var li = el('li', 'call');
    li.dataset.forTable = id;
    var num = el('div', 'call-table');
    num.appendChild(el('span', 'call-table-label', 'Table'));
    num.appendChild(el('span', 'call-table-num', id));
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
    btn.addEventListener('click', function () {
      var st = tables.get(id);
      if (st) act(id, st.status === 'calling' ? 'ack' : 'done');
    });
    li.appendChild(btn);
    return li;
  }

  function updateCall(li, st) {
    var p = pending.get(st.table);
    li.dataset.call = String(st.call);
    li.dataset.status = st.status;
    li.dataset.kind = st.kind;
    if (p) li.dataset.pending = p.action; else delete li.dataset.pending;
    li.querySelector('.call-kind .icon').innerHTML = ICONS[st.kind] || '';
    li.querySelector('.call-kind .kind-label').textContent = KIND_LABEL[st.kind] || st.kind;
    var by = li.querySelector('.acked');
    by.hidden = st.status !== 'acknowledged';
    by.querySelector('.acked-by').textContent = st.acked_by;
    var rep = li.querySelector('.repeats');
    rep.hidden = !(st.repeats > 0);
    rep.querySelector('.repeats-text').textContent = st.repeats + (st.repeats === 1 ? ' re-alert' : ' re-alerts');
    var pr = li.querySelector('.presses');
    pr.hidden = !(st.count > 1);
    pr.textContent = st.count + ' presses';
    li.querySelector('.timer').dataset.since = String(st.pressed_at);
    var btn = li.querySelector('.call-action');
    var guarded = st.status === 'acknowledged' && (guardUntil.get(st.table) || 0) > Date.now();
    btn.disabled = !!p || guarded;
    if (st.status === 'calling') {
      btn.textContent = p ? '…' : 'Ack';
      btn.setAttribute('aria-label', 'Acknowledge call from table ' + st.table);
    } else {
      btn.textContent = p ? '…' : 'Done';
      btn.setAttribute('aria-label', 'Done with call from table ' + st.table);
    }
  }

  /* Keeps container's children keyed by data attribute `key` in the order of `ids`. */
  function reconcile(container, ids, key, create, update, items) {
    var existing = new Map();
    Array.prototype.forEach.call(container.children, function (c) { existing.set(c.dataset[key], c); });
    var want = new Set(ids);
    existing.forEach(function (c, k) { if (!want.has(k)) c.remove(); });
    ids.forEach(function (id, i) {
      var node = existing.get(id);
      if (!node) node = create(id);
      update(node, items[i]);
      if (container.children[i] !== node) container.insertBefore(node, container.children[i] || null);
    });
  }

  function render() {
    var ids = Array.from(tables.keys()).sort(naturalCompare);
    reconcile($('tiles'), ids, 'table', createTile, updateTile, ids.map(function (id) { return tables.get(id); }));
    $('tiles-empty').hidden = ids.length > 0;
    $('tiles-empty').textContent = connected ? 'Waiting for the hub to publish the tables…' : 'Connecting to the broker…';

    var calls = openCalls();
    reconcile($('queue'), calls.map(function (s) { return s.table; }), 'forTable', createCall, updateCall, calls);
    $('queue-empty').hidden = calls.length > 0;
    $('queue-count').textContent = String(calls.length);
    $('queue-count').dataset.n = String(calls.length);

    renderBanners();
    renderStats();
    updateUnlockBanner();
    tick();
  }

  function renderBanners() {
    var broker = $('broker-offline');
    var brokerDown = !connected && (everConnected || !!lastError);
    if (brokerDown) {
      $('broker-offline-text').textContent = 'to the broker ' + settings.broker +
        (lastError ? ' (' + lastError + ')' : '') + '. Retrying… Calls shown may be out of date.';
      if (broker.hidden && !brokerBannerTimer) {
        /* a short blip should not flash a red banner */
        brokerBannerTimer = setTimeout(function () {
          brokerBannerTimer = null;
          if (!connected) $('broker-offline').hidden = false;
        }, everConnected ? 1500 : 0);
      }
    } else {
      clearTimeout(brokerBannerTimer); brokerBannerTimer = null;
      broker.hidden = true;
    }

    var hub = $('hub-offline');
    var hubDown = connected && (hubStatus === 'offline' || hubStatus === 'absent' || hubStatus === 'degraded');
    hub.hidden = !hubDown;
    hub.dataset.reason = hubDown ? hubStatus : '';
    $('hub-offline-title').textContent = hubStatus === 'degraded' ? 'Hub cannot store calls' : 'Hub offline';
    $('hub-offline-text').textContent = hubStatus === 'absent'
      ? 'No hub has connected for site “' + settings.site + '”. New calls are not being handled.'
      : hubStatus === 'degraded'
        ? 'Its disk is full or read-only. New calls wait and appear once it can store them.'
        : 'New calls are not being handled. Check the hub computer.';

    var box = $('device-banners');
    box.textContent = '';
    var ids = Array.from(devices.keys()).sort(naturalCompare);
    ids.forEach(function (id) {
      var d = devices.get(id);
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

  function renderStats() {
    var box = $('stats');
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
    [['calls', stats.calls], ['acknowledged', stats.acked], ['done', stats.done]].forEach(function (x) {
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
        if (v !== null) fill.classList.add(ageClass(v));
        track.appendChild(fill);
        line.appendChild(track);
        line.appendChild(el('span', 'chart-val', fmtSeconds(v)));
        r.appendChild(line);
      });
      chart.appendChild(r);
    });
    box.appendChild(chart);
    box.appendChild(el('p', 'stats-day', stats.day + ' · p50: half of the calls were faster · p90: nine in ten were'));
  }

  /* every second: timers and colour by age */
  function tick() {
    var nodes = document.querySelectorAll('.timer');
    for (var i = 0; i < nodes.length; i++) {
      var t = nodes[i];
      var since = Number(t.dataset.since || 0);
      var holder = t.closest('[data-status]');
      if (!since) { t.textContent = ''; if (holder) holder.dataset.age = ''; continue; }
      var s = ageSeconds(since);
      t.textContent = fmtDuration(s);
      t.setAttribute('aria-label', 'waiting ' + fmtDuration(s));
      if (holder) holder.dataset.age = ageClass(s);
    }
  }

  /* ---- settings dialog ---------------------------------------------------------- */
  function openSettings() {
    $('set-broker').value = settings.broker;
    $('set-site').value = settings.site;
    $('set-user').value = settings.user;
    $('set-pass').value = settings.pass;
    $('set-staff').value = staff;
    $('set-sound').checked = soundOn;
    $('set-speech').checked = speechOn;
    $('settings-error').textContent = '';
    var b = window.CALLBELL_BUILD;
    $('about').textContent = 'callbell board' + (b ? ' ' + b.version + ' · mqtt.js ' + b.mqtt : '') +
      ' · connected to ' + settings.broker + ' as site ' + settings.site;
    $('settings-dialog').showModal();
  }

  function saveSettings(ev) {
    ev.preventDefault();
    var broker = $('set-broker').value.trim();
    var site = $('set-site').value.trim();
    var name = $('set-staff').value.trim();
    var err = '';
    if (!/^wss?:\/\/[^\s]+$/i.test(broker)) err = 'Broker URL must start with ws:// or wss://';
    else if (!P.isId(site)) err = 'Site must be 1–32 characters of a–z, 0–9, _ or -';
    else if (name && P.checkStaffName(name)) err = 'Name must be at most 32 bytes, without control characters';
    if (err) { $('settings-error').textContent = err; return; }
    var next = { broker: broker, site: site, user: $('set-user').value, pass: $('set-pass').value };
    store.set(KEY.broker, broker === defaultBroker() ? null : broker);
    store.set(KEY.site, site === 'demo' ? null : site);
    store.set(KEY.user, next.user);
    store.set(KEY.pass, next.pass);
    setStaff(name);
    soundOn = $('set-sound').checked;
    speechOn = $('set-speech').checked;
    store.set(KEY.sound, soundOn ? null : 'off');
    store.set(KEY.speech, speechOn ? 'on' : null);
    updateToggles();
    $('settings-dialog').close();
    /* saved settings win from now on: drop the overriding query string */
    if (location.search) history.replaceState(null, '', location.pathname + location.hash);
    var changed = next.broker !== settings.broker || next.site !== settings.site ||
      next.user !== settings.user || next.pass !== settings.pass;
    settings = next;
    if (changed) connect();
    else render();
  }

  function updateToggles() {
    $('sound-button').setAttribute('aria-pressed', String(soundOn));
    $('speech-button').setAttribute('aria-pressed', String(speechOn));
    updateUnlockBanner();
  }

  /* ---- wiring -------------------------------------------------------------------- */
  function init() {
    setStaff(staff);
    updateToggles();

    $('name-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var name = $('staff-input').value.trim();
      var err = P.checkStaffName(name);
      if (err) {
        $('name-error').textContent = err === 'too_long' ? 'That name is too long (32 bytes at most).'
          : 'Please enter your name.';
        return;
      }
      setStaff(name);
      $('name-dialog').close();
      var then = nameCallback;
      nameCallback = null;
      if (then) then();
    });
    $('name-cancel').addEventListener('click', function () { nameCallback = null; $('name-dialog').close(); });
    $('name-dialog').addEventListener('close', function () { nameCallback = null; });
    $('staff-button').addEventListener('click', function () { askName(null); });

    $('settings-button').addEventListener('click', openSettings);
    $('settings-form').addEventListener('submit', saveSettings);
    $('settings-cancel').addEventListener('click', function () { $('settings-dialog').close(); });
    $('settings-defaults').addEventListener('click', function () {
      $('set-broker').value = defaultBroker();
      $('set-site').value = 'demo';
      $('set-user').value = '';
      $('set-pass').value = '';
    });

    $('sound-button').addEventListener('click', function () {
      soundOn = !soundOn;
      store.set(KEY.sound, soundOn ? null : 'off');
      updateToggles();
      if (soundOn) { unlockAudio(); chime('new'); }
    });
    $('speech-button').addEventListener('click', function () {
      speechOn = !speechOn;
      store.set(KEY.speech, speechOn ? 'on' : null);
      updateToggles();
      if (speechOn) speak('Announcements on');
    });
    $('sound-unlock').addEventListener('click', function () { unlockAudio(); chime('new'); });
    /* any tap unlocks audio (browsers only allow sound after a user gesture) */
    ['pointerdown', 'keydown', 'touchend'].forEach(function (type) {
      document.addEventListener(type, unlockAudio, { capture: true, passive: true });
    });

    setInterval(tick, 1000);
    connect();
  }

  if (!window.mqtt || !P) {
    document.body.dataset.conn = 'offline';
    document.getElementById('conn-text').textContent = 'Page incomplete (mqtt.min.js / protocol.js missing)';
    return;
  }
  init();
})();
