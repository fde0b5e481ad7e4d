/* app.js - callbell staff board: connection, board state, staff actions.
 *
 * What is open the board asks the hub (a `calls` request on callbell/<site>/hub/request
 * on every connect and when the hub comes online: docs/protocol.md "Boards' start-up
 * view"); the rest comes from retained MQTT messages, so a reload, a new tablet or a
 * reconnect shows the same board:
 *   callbell/<site>/table/+/state      one tile per table; a queue line per open request
 *                                      (live changes; retained ones ordered with the answer)
 *   callbell/<site>/hub/status         hub offline banner (also when never seen)
 *   callbell/<site>/hub/stats          today's response times
 *   callbell/<site>/device/+/status    device offline banners
 *   callbell/<site>/device/+/info      low battery banners
 *   callbell/<site>/reply/<client id>  the hub's answers to our commands and `calls` requests
 * Staff actions are cmd messages to callbell/<site>/table/<t>/cmd (QoS 1), one per
 * request, always naming its `call` and `kind` (a cmd that waited in the broker must not
 * act on a newer request) and `from`, this page's MQTT client id: the hub applies it
 * (a new retained state) and answers on our reply topic, with the reason when it
 * refused, which the board shows (docs/protocol.md "cmd reply").
 *
 * Classic scripts (see protocol.js for why), loaded in this order: mqtt.min.js,
 * protocol.js, board-model.js (what to show), views.js (the DOM), sound.js,
 * settings.js, app.js.
 */
(function () {
  'use strict';

  var P = window.CallbellProtocol;
  var M = window.CallbellBoardModel;
  var V = window.CallbellViews;
  var Sound = window.CallbellSound;
  var S = window.CallbellSettings;
  var HUB_GRACE_MS = 1500; /* wait this long for a retained hub/status before "no hub" */
  var CMD_TIMEOUT_MS = 5000;
  var REFUSAL_SHOWN_MS = 10000; /* a refusal stays up long enough to be read */
  var SENT_MAX = 64;            /* commands remembered until the hub answers them */
  var DONE_GUARD_MS = 800; /* a double tap must not ack and close in one go */
  /* the colour thresholds: the site message's (hub/site), 60/180 s until one comes;
   * one object, changed in place, that the views read on every render */
  var THRESHOLDS = { warn_s: P.AGE_DEFAULTS.warn_s, late_s: P.AGE_DEFAULTS.late_s };
  var SIGNIN_EVERY_MS = 30000; /* sign-in heartbeat; the hub forgets one after signin_ttl (90 s) */

  var KIND_SPEECH = {
    call: '%s is calling',
    bill: '%s requests the bill',
    water: '%s asks for water'
  };

  var settings = S && S.load();
  var staff = S ? S.staff() : '';
  var soundOn = S ? S.soundOn() : true;
  var speechOn = S ? S.speechOn() : false;
  var notifyOn = S ? S.notifyOn() : false;
  var wall = S ? S.view() === 'wall' : false; /* the read-only wall display */
  var signin = null; /* {role, sections}: this board's sign-in, null when not signed in */
  var signinTimer = null;
  var wakeLock = null;

  /* ---- board state ------------------------------------------------------------ */
  var tables = new Map();   /* table id -> decoded state */
  var devices = new Map();  /* device id -> {status, info} */
  var hubStatus = 'unknown'; /* online | degraded | offline | absent | unknown */
  var stats = null;
  var site = null;           /* the hub's site message: names, thresholds (docs/protocol.md "site") */
  var siteNames = new Map(); /* table id -> display name */
  var pending = new Map();  /* request key (table/call) -> {table, call, status, acked_by, action, timer} */
  var sent = new Map();     /* request key/action -> {kind, by}: what the hub's answer is about */
  var guardUntil = new Map(); /* request key -> ms: done disabled until then */
  var clockSamples = [];    /* browser now - hub updated_at of live messages */
  var clockOffset = 0;
  var client = null;
  var clientId = '';        /* ours: commands name it (from), the hub answers on reply/<id> */
  var connected = false;
  var everConnected = false;
  var hubTimer = null;
  var askSeq = 0;
  var asked = [];            /* ids of our `calls` requests not yet answered (the last few) */
  var answerAt = 0;          /* the `at` of the last answer applied: an unknown table's version */
  var brokerBannerTimer = null;
  var lastError = '';
  var debug = {
    alerts: 0, realerts: 0, silenced: 0, notifications: [], vibrations: 0, spoken: [], published: [], replies: [],
    asked: 0, answers: 0, /* calls requests sent to the hub, answers applied */
    signin: function () { return signin; },
    clientId: function () { return clientId; },
    pending: function () { return Array.from(pending.keys()); }
  };
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

  /* ---- sound and speech ------------------------------------------------------- */
  function unlockAudio() { if (soundOn) Sound.unlock(); }
  function updateUnlockBanner() {
    $('sound-unlock').hidden = !(soundOn && Sound.needsUnlock() && openRequestCount() > 0);
  }
  function chime(kind) {
    if (soundOn && !Sound.chime(kind)) updateUnlockBanner();
  }
  function speak(text) {
    debug.spoken.push(text);
    if (speechOn) Sound.speak(text);
  }
  function tableSpoken(id) { return tableName(id) || 'Table ' + id.replace(/[-_]/g, ' '); }
  function announce(tableId, request, kind) {
    if (kind === 'realert') debug.realerts++; else debug.alerts++;
    chime(kind);
    notify(tableId, request, kind);
    if (navigator.vibrate && navigator.vibrate([250, 120, 250])) debug.vibrations++;
    var phrase = (KIND_SPEECH[request.kind] || KIND_SPEECH.call).replace('%s', tableSpoken(tableId));
    if (kind === 'realert') phrase = 'Reminder: ' + (tableName(tableId) ? phrase : 'table' + phrase.slice(5));
    speak(phrase);
  }

  /* ---- alerts with the screen off ----------------------------------------------- */
  /* One notification per new request and per escalation (a phone in a pocket). The
   * Notification API needs a secure context (https://, or http://localhost) and the
   * user's permission; Android's Chrome shows them only from a service worker (sw.js),
   * which needs the page served over https:// with a JavaScript MIME type: `callbell
   * broker --tls` (README, "Web board"). Where the worker is registered, notifications
   * go through it (a tap focuses or opens the board); else `new Notification`. */
  var LEVEL_WORDS = { floor: ' → floor', manager: ' → manager' };
  var worker = null; /* our ServiceWorkerRegistration, once registered */
  function registerWorker() {
    if (!window.isSecureContext || !('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('sw.js').then(function (reg) {
      worker = reg;
      debug.worker = reg.scope;
    }, function (e) {
      debug.workerError = String((e && e.message) || e); /* e.g. sw.js served without a JavaScript type */
    });
  }
  function notify(tableId, r, kind) {
    if (!notifyOn || !('Notification' in window) || Notification.permission !== 'granted') return;
    var st = tables.get(tableId);
    var title = 'Table ' + tableId + ': ' + V.kindLabel(r.kind) + (kind === 'realert' ? ' (again)' : '');
    var body = (kind === 'realert' ? 'Still waiting after ' + r.repeats + ' reminder' + (r.repeats === 1 ? '' : 's') :
      'New request') + (LEVEL_WORDS[r.level] && st && st.section ? LEVEL_WORDS[r.level] : '');
    var opts = { body: body, tag: tableId + '/' + r.call, renotify: true, requireInteraction: kind === 'realert' };
    if (worker) {
      opts.vibrate = [250, 120, 250];
      opts.data = { url: window.location.href };
      worker.showNotification(title, opts).then(null, function (e) { debug.workerError = String((e && e.message) || e); });
      debug.notifications.push({ title: title, body: body, via: 'worker' });
      return;
    }
    try {
      var n = new Notification(title, opts);
      n.onclick = function () { window.focus(); n.close(); };
      debug.notifications.push({ title: title, body: body, via: 'page' });
    } catch (e) {
      /* Android: only a service worker may show one */
      if (navigator.serviceWorker && navigator.serviceWorker.getRegistration) {
        navigator.serviceWorker.getRegistration().then(function (reg) {
          if (reg) { reg.showNotification(title, opts); debug.notifications.push({ title: title, body: body, via: 'worker' }); }
        });
      }
    }
  }
  function askNotifyPermission() {
    if (!('Notification' in window)) { toast('This browser has no notifications.', 'bad'); return; }
    if (!window.isSecureContext) {
      toast('Notifications need https:// (or localhost): this page is plain http.', 'bad', 8000);
      return;
    }
    Notification.requestPermission().then(function (p) {
      if (p !== 'granted') toast('Notifications were not allowed in the browser.', 'bad');
    });
  }
  /* A dedicated tablet keeps its screen on (Screen Wake Lock: secure contexts only). */
  function keepAwake() {
    if (!S.wakeLockOn() || !navigator.wakeLock || document.visibilityState !== 'visible' || wakeLock) return;
    navigator.wakeLock.request('screen').then(function (l) {
      wakeLock = l;
      l.addEventListener('release', function () { wakeLock = null; });
    }, function () { /* not allowed (battery saver, insecure context) */ });
  }

  /* ---- sign-in (docs/protocol.md "sign-in") ------------------------------------ */
  function loadSignin() {
    var text = S.sections();
    if (text === null || text === undefined) return null;
    var sections = String(text).split(',').map(function (x) { return x.trim(); }).filter(Boolean);
    var role = S.role();
    try {
      P.buildSignin('x', role, sections);
    } catch (e) {
      console.warn('callbell: bad sign-in', text, role, e.message);
      return null;
    }
    return { role: role, sections: sections };
  }
  function sendSignin(off) {
    clearTimeout(signinTimer);
    if (!signin || !client || !connected || !staff) return;
    var payload;
    try {
      payload = P.buildSignin(staff, off ? 'off' : signin.role, off ? [] : signin.sections);
    } catch (e) { return; }
    var topic = P.topicFor('signin', settings.site, clientId);
    client.publish(topic, payload, { qos: 1 });
    debug.published.push({ topic: topic, payload: payload });
    if (!off) signinTimer = setTimeout(function () { sendSignin(false); }, SIGNIN_EVERY_MS);
  }
  function signinText() {
    if (!signin) return '';
    return (signin.sections.length ? signin.sections.join(', ') : 'no section') + (signin.role === 'manager' ? ' · manager' : '');
  }

  /* ---- toast ------------------------------------------------------------------- */
  /* kind: info, ok (a command applied) or bad. A confirmation never hides a refusal
   * still on screen: a tap on a whole table answers one command after another. */
  var toastTimer = null;
  var badUntil = 0;
  function toast(msg, kind, ms) {
    var e = $('toast');
    kind = kind || 'info';
    if (kind === 'ok' && !e.hidden && e.dataset.kind === 'bad' && Date.now() < badUntil) return;
    ms = ms || 4000;
    e.textContent = msg;
    e.dataset.kind = kind;
    e.setAttribute('role', kind === 'bad' ? 'alert' : 'status');
    e.hidden = false;
    badUntil = kind === 'bad' ? Date.now() + ms : 0;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { e.hidden = true; }, ms);
  }

  /* ---- MQTT ------------------------------------------------------------------ */
  function topics() {
    var base = 'callbell/' + settings.site + '/';
    return [base + 'table/+/state', base + 'hub/status', base + 'hub/stats', base + 'hub/site', base + 'device/+/status',
      base + 'device/+/info', P.topicFor('reply', settings.site, clientId)];
  }

  function resetBoard() {
    tables.clear(); devices.clear(); pending.forEach(function (p) { clearTimeout(p.timer); }); pending.clear(); sent.clear();
    guardUntil.clear(); clockSamples = []; clockOffset = 0; stats = null; hubStatus = 'unknown';
    asked = []; answerAt = 0; /* another site or broker: another hub's answers */
    applySite(null);
    $('tiles').textContent = ''; $('queue').textContent = '';
  }

  function connect() {
    if (client) { try { client.end(true); } catch (e) { /* already gone */ } client = null; }
    connected = false; everConnected = false; lastError = '';
    clearTimeout(hubTimer);
    resetBoard();
    $('site-name').textContent = settings.site;
    $('reports-link').href = 'reports.html' + location.search; /* the same broker and site */
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
    /* kept across mqtt.js's reconnects, so answers to commands sent before a blip arrive */
    /* a broker that enforces roles makes the user name the client id (README "Who may
     * do what"): use it, so the hub's answers come on the reply topic we read */
    clientId = /^[a-z0-9_-]{1,32}$/.test(settings.user || '') ? settings.user
      : 'board-' + Math.random().toString(16).slice(2, 10).padEnd(8, '0');
    var opts = {
      clientId: clientId,
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
      if (signin && !staff && !wall) askName(null); /* a sign-in names who is there */
      sendSignin(false);
      hubStatus = 'unknown';
      c.subscribe(topics(), { qos: 1 }, function (err) {
        if (client !== c) return;
        if (err) { lastError = 'subscribe failed: ' + (err.message || err); render(); return; }
        askHub(); /* our reply topic is subscribed now */
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
    /* a broker never reached stays "Cannot connect" between the retries */
    c.on('reconnect', function () { if (client === c && everConnected) setConn('connecting', 'Reconnecting…'); });
    c.on('close', function () {
      if (client !== c) return;
      connected = false;
      clearTimeout(hubTimer);
      if (!everConnected) {
        /* never reached: say so at once (a refused or unreachable WebSocket gives no error event) */
        lastError = lastError || 'cannot connect to ' + settings.broker + ' — is the broker running and the address right?';
        setConn('offline', 'Cannot connect');
      } else {
        setConn('offline', 'Offline');
      }
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
        var was = hubStatus;
        hubStatus = h.ok ? h.value : 'offline';
        if (hubStatus === 'online' && was !== 'online') {
          sendSignin(false); /* a new hub knows nobody */
          askHub();          /* and what is open is what it says */
        }
        break;
      }
      case 'hub_site': {
        if (empty) { applySite(null); break; }
        var si = P.decodeSite(payload);
        if (!si.ok) { console.warn('callbell: bad site message', si.error); return; }
        applySite(si.value);
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
      case 'reply': {
        if (id !== clientId || empty) return;
        if (asked.length && onCallsAnswer(payload)) break;
        var a = P.decodeCmdReply(payload);
        if (!a.ok) { console.warn('callbell: bad command reply', a.error); return; }
        onAnswer(a.value);
        break;
      }
      default:
        return;
    }
    scheduleRender();
  }

  /* The site as the hub runs it: display names and the colour thresholds. */
  function applySite(s) {
    site = s;
    siteNames = new Map();
    if (s) s.tables.forEach(function (t) { siteNames.set(t.id, t.name); });
    THRESHOLDS.warn_s = s ? s.warn_s : P.AGE_DEFAULTS.warn_s;
    THRESHOLDS.late_s = s ? s.late_s : P.AGE_DEFAULTS.late_s;
    document.body.dataset.siteName = s ? s.name : '';
    var title = $('site-name');
    if (title && settings) {
      title.textContent = s ? s.name : settings.site;
      title.title = s ? s.name + ' (site ' + settings.site + ')' : 'Site';
    }
  }
  function tableName(id) { return siteNames.get(id) || null; }

  /* ---- the start-up view from the hub (docs/protocol.md "Boards' start-up view") ----
   * On every connect and whenever the hub comes online the board asks it `calls`, and
   * fills the board from the answer; retained states may be missing (RabbitMQ delivers
   * them only to exact-topic subscriptions) or stale and late (aedes mixes them in),
   * so the answer and the states are ordered by the hub's clock (P.viewTakes). */
  function askHub() {
    if (!client || !connected) return;
    var id = 'view-' + (++askSeq);
    var payload;
    try {
      payload = M.buildCallsRequest(id, P.topicFor('reply', settings.site, clientId));
    } catch (e) {
      console.warn('callbell: cannot ask the hub', e);
      return;
    }
    client.publish('callbell/' + settings.site + '/hub/request', payload, { qos: 1 });
    asked.push(id);
    if (asked.length > 4) asked.shift();
    debug.asked++;
  }

  /* True when `payload` answers one of our `calls` requests (any: each is ordered with
   * what the board shows by its `at`). */
  function onCallsAnswer(payload) {
    var a = null;
    for (var i = 0; i < asked.length && !a; i++) {
      a = M.decodeCallsAnswer(String(payload), asked[i]);
      if (a) asked.splice(i, 1);
    }
    if (!a) return false;
    if (!a.ok) { console.warn('callbell: the hub did not list the open requests:', a.error); return true; }
    noteHubClock(a.at);
    answerAt = Math.max(answerAt, a.at);
    M.applyCallsAnswer(tables, a).forEach(function (x) { tableChanged(x.prev, x.next, false); });
    debug.answers++;
    return true;
  }

  function applyState(msg, retained) {
    var prev = tables.get(msg.table) || null;
    /* a state older than what the board shows (a stale retained copy) is ignored */
    var st = M.takeState(prev, msg, answerAt);
    if (!st) return;
    if (!retained && st === msg) noteHubClock(st.updated_at);
    tables.set(st.table, st);
    /* Ring for news only: not for the retained snapshot of a page that just loaded. */
    tableChanged(prev, st, !retained || !!prev);
  }

  /* What a table's new state means beyond the view: bells, the done guard, the
   * pending commands it answers. `ring`: news, not what was open before we looked. */
  function tableChanged(prev, st, ring) {
    if (ring && !wall) {
      M.alerts(prev, st).forEach(function (a) {
        /* the escalation chain: this board rings when the request's level reaches it */
        if (P.rings(a.request.level, st.section || '', signin)) announce(st.table, a.request, a.alert);
        else debug.silenced++;
      });
    }
    var before = new Map();
    if (prev) prev.requests.forEach(function (r) { before.set(r.call, r); });
    st.requests.forEach(function (r) {
      var old = before.get(r.call);
      if (old && old.status === 'calling' && r.status === 'acknowledged') {
        guardUntil.set(M.requestKey(st.table, r), Date.now() + DONE_GUARD_MS);
        setTimeout(scheduleRender, DONE_GUARD_MS + 20);
      }
    });
    /* A request's pending command is answered once the request changed or closed. */
    pending.forEach(function (p, key) {
      if (p.table !== st.table) return;
      var now = st.requests.find(function (r) { return r.call === p.call; });
      if (!now || now.status !== p.status || now.acked_by !== p.acked_by) {
        clearTimeout(p.timer);
        pending.delete(key);
      }
    });
  }

  /* ---- staff actions ------------------------------------------------------------ */
  /* One cmd per request, each naming its call and kind. */
  function act(tableId, action, requests) {
    if (!requests.length) return;
    if (!staff) {
      askName(function () { act(tableId, action, requests); });
      return;
    }
    if (!client || !connected) {
      toast('Not connected to the broker — try again in a moment.', 'bad');
      return;
    }
    var payloads;
    try {
      payloads = requests.map(function (r) { return P.buildCmd(action, staff, { kind: r.kind, call: r.call }, clientId); });
    } catch (e) {
      toast('Cannot send: your name is not valid (' + e.message + ').', 'bad');
      return;
    }
    var topic = P.topicFor('cmd', settings.site, tableId);
    requests.forEach(function (r, i) { send(tableId, r, action, topic, payloads[i]); });
    if (hubStatus === 'offline' || hubStatus === 'absent') {
      /* the hub reads commands on a persistent session: the broker keeps this one */
      toast('The hub is offline: the broker holds this for the hub, and it applies when the hub is back.', 'info');
    }
    render();
  }

  function send(tableId, request, action, topic, payload) {
    var key = M.requestKey(tableId, request);
    var old = pending.get(key);
    if (old) clearTimeout(old.timer);
    var entry = { table: tableId, call: request.call, status: request.status, acked_by: request.acked_by, action: action, timer: null };
    entry.timer = setTimeout(function () {
      if (pending.get(key) !== entry) return;
      pending.delete(key);
      if (settings.user && hubStatus === 'online') {
        /* MQTT 3.1.1 acknowledges a publish the broker's ACL drops: silence from an
         * online hub is how a read-only sign-in shows */
        toast('Not allowed: table ' + tableId + ' (' + V.kindLabel(request.kind).toLowerCase() + ') got no answer. ' +
          'Signed in as "' + settings.user + '", which may only read (a display); staff can acknowledge.', 'bad');
      } else {
        toast('No answer from the hub for table ' + tableId + ' (' + V.kindLabel(request.kind).toLowerCase() +
          '). The command waits in the broker until the hub is back.', 'bad');
      }
      render();
    }, CMD_TIMEOUT_MS);
    pending.set(key, entry);
    remember(key + '/' + action, { kind: request.kind, by: staff });
    debug.published.push({ topic: topic, payload: payload });
    client.publish(topic, payload, { qos: 1 }, function (err) {
      if (err) {
        if (pending.get(key) === entry) { clearTimeout(entry.timer); pending.delete(key); }
        toast('Sending failed: ' + (err.message || err), 'bad');
        render();
      }
    });
  }

  function remember(key, what) {
    sent.delete(key);
    sent.set(key, what);
    if (sent.size > SENT_MAX) sent.delete(sent.keys().next().value); /* the oldest: never answered */
  }

  /* The hub's answer to one of our commands (docs/protocol.md "cmd reply"): it may come
   * long after the tap, when the command waited in the broker for the hub. */
  function onAnswer(a) {
    debug.replies.push(a);
    var key = a.table + '/' + a.call;
    var p = pending.get(key);
    if (p) { clearTimeout(p.timer); pending.delete(key); }
    var what = sent.get(key + '/' + a.action) || { kind: '', by: '' };
    sent.delete(key + '/' + a.action);
    var subject = (tableName(a.table) || 'Table ' + a.table) + (what.kind ? ' · ' + V.kindLabel(what.kind).toLowerCase() : '');
    if (a.ok) {
      toast(subject + ': ' + (a.action === 'ack' ? 'acknowledged' : 'done') + ' ✓', 'ok', 2500);
    } else {
      toast(subject + ': ' + a.action + ' refused — ' + refusalText(a, what), 'bad', REFUSAL_SHOWN_MS);
    }
  }

  /* The hub's reason reads "ack by Ana: names a request that is no longer open
   * (stale)"; the toast already says which command, so the prefix goes. */
  function refusalText(a, what) {
    var prefix = a.action + ' by ' + what.by + ': ';
    var reason = what.by && a.reason.indexOf(prefix) === 0 ? a.reason.slice(prefix.length) : a.reason;
    return reason || a.error;
  }

  function guarded(key) { return (guardUntil.get(key) || 0) > Date.now(); }

  /* A tap on a tile: the whole table (ack what calls, else done everything). */
  function actOnTable(tableId) {
    var st = tables.get(tableId);
    var action = st && M.tableAction(st);
    if (!action) return;
    var targets = M.tableTargets(st, action);
    if (action === 'done' && targets.some(function (r) { return guarded(M.requestKey(tableId, r)); })) return;
    act(tableId, action, targets);
  }

  /* A tap on a queue line's button: that one request. */
  function actOnRequest(tableId, call) {
    var st = tables.get(tableId);
    var r = st && st.requests.find(function (x) { return x.call === call; });
    if (!r) return; /* closed meanwhile */
    var action = r.status === 'calling' ? 'ack' : 'done';
    if (action === 'done' && guarded(M.requestKey(tableId, r))) return;
    act(tableId, action, [r]);
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
    S.setStaff(name);
    $('staff-label').textContent = (name || 'Set name') + (signin ? ' · ' + signinText() : '');
    $('staff-button').title = signin ? (name || 'No name') + ', signed in to ' + signinText() : 'Not signed in to a section';
    sendSignin(false);
  }

  /* The staff-name rule's errors, for a person. */
  function nameProblem(err) {
    if (err === 'too_long') return 'That name is too long (32 bytes at most).';
    if (err === 'range') return 'Please enter your name (no control characters).';
    return 'That name cannot be used.';
  }

  /* ---- rendering -------------------------------------------------------------- */
  var renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(function () { renderQueued = false; render(); }, 0);
  }

  function openRequestCount() {
    var n = 0;
    tables.forEach(function (st) { n += st.requests.length; });
    return n;
  }

  function render() {
    var nTables = V.renderTiles($('tiles'));
    $('tiles-empty').hidden = nTables > 0;
    $('tiles-empty').textContent = connected ? 'Waiting for the hub to publish the tables…'
      : !everConnected && lastError ? 'Cannot connect to the broker at ' + settings.broker + '.' : 'Connecting to the broker…';

    var n = V.renderQueue($('queue'));
    $('queue-empty').hidden = n > 0;
    $('queue-count').textContent = String(n);
    $('queue-count').dataset.n = String(n);

    if (wall) layoutWall(nTables);
    renderBanners();
    V.renderDeviceBanners($('device-banners'));
    V.renderStats($('stats'), stats, connected);
    updateUnlockBanner();
    V.tick(document);
  }

  /* The wall view: every table at once, as large as the screen allows (no scrolling).
   * Columns and rows are chosen for the tiles' shape; the type scales with the tile. */
  function layoutWall(n) {
    var box = $('tiles');
    n = n || box.children.length;
    if (!n) return;
    var rect = box.getBoundingClientRect();
    var w = Math.max(200, window.innerWidth - 16);
    var h = Math.max(150, window.innerHeight - rect.top - 8);
    var best = null;
    for (var cols = 1; cols <= n; cols++) {
      var rows = Math.ceil(n / cols);
      var tw = w / cols;
      var th = h / rows;
      var size = Math.min(tw / 1.3, th); /* tiles a little wider than tall */
      if (!best || size > best.size) best = { cols: cols, rows: rows, size: size, th: th };
    }
    box.style.setProperty('--wall-cols', String(best.cols));
    box.style.setProperty('--wall-rows', String(best.rows));
    box.style.setProperty('--wall-tile-h', Math.floor(best.th - 6) + 'px');
    box.style.setProperty('--wall-font', Math.max(9, Math.floor(best.th / 7)) + 'px');
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
    $('set-sections').value = signin ? signin.sections.join(', ') : '';
    $('set-role').value = signin ? signin.role : 'staff';
    $('set-notify').checked = notifyOn;
    $('set-wakelock').checked = S.wakeLockOn();
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
    else if (name && P.checkName(name)) err = 'Name: ' + nameProblem(P.checkName(name));
    var sectionsText = $('set-sections').value.trim();
    var role = $('set-role').value;
    var nextSignin = null;
    if (sectionsText || role === 'manager') {
      var list = sectionsText.split(',').map(function (x) { return x.trim(); }).filter(Boolean);
      try {
        P.buildSignin('x', role, list);
        nextSignin = { role: role, sections: list };
      } catch (e) {
        err = 'Sections: ids of a–z, 0–9, _ or - separated by commas, at most 8 (' + e.message + ')';
      }
    }
    if (!err && nextSignin && !name) err = 'Your name: needed to sign in to sections (your colleagues see who is where)';
    if (err) { $('settings-error').textContent = err; return; }
    if (signin && !nextSignin) sendSignin(true); /* signed out at once, not after the hub's ttl */
    signin = nextSignin;
    S.setSignin(signin ? signin.sections.join(',') : null, signin ? signin.role : 'staff');
    if ($('set-notify').checked && !notifyOn) askNotifyPermission();
    notifyOn = $('set-notify').checked;
    S.setNotifyOn(notifyOn);
    S.setWakeLockOn($('set-wakelock').checked);
    keepAwake();
    var next = { broker: broker, site: site, user: $('set-user').value, pass: $('set-pass').value };
    S.save(next);
    setStaff(name);
    soundOn = $('set-sound').checked;
    speechOn = $('set-speech').checked;
    S.setSoundOn(soundOn);
    S.setSpeechOn(speechOn);
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
    V.init({
      tables: tables,
      devices: devices,
      thresholds: THRESHOLDS,
      tableName: tableName,
      hubNow: hubNow,
      pendingFor: function (key) { return pending.get(key) || null; },
      guarded: guarded,
      onTable: wall ? function () {} : actOnTable,
      onRequest: wall ? function () {} : actOnRequest
    });
    Sound.onChange(updateUnlockBanner);
    signin = loadSignin();
    if (wall) {
      document.body.dataset.view = 'wall';
      soundOn = false; /* a display on the wall: read only, silent */
    }
    setStaff(staff);
    registerWorker();
    keepAwake();
    document.addEventListener('visibilitychange', keepAwake);
    window.addEventListener('resize', function () { if (wall) layoutWall(); });
    updateToggles();

    $('name-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var name = $('staff-input').value.trim();
      var err = P.checkName(name);
      if (err) {
        $('name-error').textContent = nameProblem(err);
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
      $('set-broker').value = S.defaultBroker();
      $('set-site').value = 'demo';
      $('set-user').value = '';
      $('set-pass').value = '';
    });

    $('sound-button').addEventListener('click', function () {
      soundOn = !soundOn;
      S.setSoundOn(soundOn);
      updateToggles();
      if (soundOn) { unlockAudio(); chime('new'); }
    });
    $('speech-button').addEventListener('click', function () {
      speechOn = !speechOn;
      S.setSpeechOn(speechOn);
      updateToggles();
      if (speechOn) speak('Announcements on');
    });
    $('sound-unlock').addEventListener('click', function () { unlockAudio(); chime('new'); });
    /* any tap unlocks audio (browsers only allow sound after a user gesture) */
    ['pointerdown', 'keydown', 'touchend'].forEach(function (type) {
      document.addEventListener(type, unlockAudio, { capture: true, passive: true });
    });

    setInterval(function () { V.tick(document); }, 1000);
    connect();
  }

  if (!window.mqtt || !P || !M || !V || !Sound || !S) {
    document.body.dataset.conn = 'offline';
    document.getElementById('conn-text').textContent = 'Page incomplete (a script failed to load)';
    return;
  }
  init();
})();
