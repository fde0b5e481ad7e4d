/* protocol.js - callbell MQTT protocol v1 for the web board (docs/protocol.md).
 *
 * Same rules as the C core (lib/include/callbell/protocol.h): every decoder returns
 * the name of the first rule broken, in the order of protocol.md's tables, so the
 * shared vectors in docs/protocol-vectors.json give the same answer on both sides.
 *
 * A classic script, not an ES module: where lighttpd is not installed, Mosquitto's
 * http_dir serves the page without a Content-Type, and browsers refuse module scripts
 * without a JavaScript MIME type.
 * It defines globalThis.CallbellProtocol; Node tests load it with node:vm.
 *
 * Decoders return {ok:true, value} or {ok:false, error:"<error name>"}.
 */
(function (root) {
  'use strict';

  var PAYLOAD_MAX = 512;
  var STATE_PAYLOAD_MAX = 1024; /* three requests do not fit 512 */
  var SITE_PAYLOAD_MAX = 65536; /* the site message: names of up to 1000 tables */
  var SITE_LIST_MAX = 1000;
  var DISPLAY_NAME_MAX = 64;
  var SECONDS_LIMIT = 86400n;
  var REQUEST_MAX = 3;          /* open requests a table holds: one per kind */
  var ERROR_NAME_MAX = 23;      /* press and cmd reply "error" */
  var REASON_MAX = 160;         /* press and cmd reply "reason" */
  var TOPIC_MAX = 128;
  var ID_MAX = 32;
  var NAME_MAX = 32;
  var TEXT_MAX = 64;
  var FW_MAX = 16;
  var MAX_MEMBERS = 16;
  var MAX_DEPTH = 9; /* the object itself plus 8 levels of brackets in a member */
  var U32 = 4294967295n;
  var PRESS_AGE_MAX_MS = 86400000; // 24 h: a larger press age_ms is read as this
  var I64_MAX = 9223372036854775807n;
  var JS_SAFE_MAX = 9007199254740991n; /* 2^53 - 1 */
  var AGE_DEFAULTS = { warn_s: 60, late_s: 180 };

  var KINDS = ['call', 'bill', 'water', 'cancel'];
  var REQUEST_KINDS = ['call', 'bill', 'water']; /* a cancel closes requests, it is never one */
  var STATUSES = ['idle', 'calling', 'acknowledged'];
  var REQUEST_STATUSES = ['calling', 'acknowledged'];
  var LEVELS = ['section', 'floor', 'manager']; /* who a request rings, rising */
  var ROLES = ['staff', 'manager', 'off'];
  var SIGNIN_SECTIONS_MAX = 8;
  var SECTIONS_TEXT_MAX = 64;
  var ACTIONS = ['ack', 'done'];
  var ID_RE = /^[a-z0-9_-]{1,32}$/;

  function Fail(name) { this.name = name; }
  function fail(name) { throw new Fail(name); }

  var encoder = new TextEncoder();
  function utf8Length(s) { return encoder.encode(s).length; }

  /* ---- strict JSON reader for one object ------------------------------------
   * Top-level members keep their JSON type: 'string', 'int' (no fraction/exponent;
   * value is a BigInt, range-checked by the field reader, so an integer beyond int64
   * is range as in C), 'number', 'bool', 'null', 'nested' (raw: its JSON text). */
  function parseObject(text) {
    var i = 0;
    var n = text.length;

    function ws() {
      while (i < n) {
        var c = text.charCodeAt(i);
        if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
        else break;
      }
    }
    function expect(ch) {
      if (text[i] !== ch) fail('json');
      i++;
    }
    function hex4() {
      if (i + 4 > n) fail('json');
      var h = text.substr(i, 4);
      if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('json');
      i += 4;
      return parseInt(h, 16);
    }
    function string() {
      expect('"');
      var out = '';
      for (;;) {
        if (i >= n) fail('json');
        var c = text.charCodeAt(i);
        if (c === 0x22) { i++; return out; }
        if (c < 0x20) fail('json');
        if (c === 0x5c) {
          i++;
          if (i >= n) fail('json');
          var e = text[i++];
          switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
              var u = hex4();
              if (u >= 0xd800 && u <= 0xdbff) {
                if (text[i] !== '\\' || text[i + 1] !== 'u') fail('json');
                i += 2;
                var lo = hex4();
                if (lo < 0xdc00 || lo > 0xdfff) fail('json');
                out += String.fromCharCode(u, lo);
              } else if (u >= 0xdc00 && u <= 0xdfff) {
                fail('json');
              } else {
                out += String.fromCharCode(u);
              }
              break;
            }
            default: fail('json');
          }
          continue;
        }
        out += text[i++];
      }
    }
    function number() {
      var m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
      if (!m || m[0] === '-' || m[0] === '') fail('json');
      i += m[0].length;
      if (!m[2] && !m[3]) return { type: 'int', value: BigInt(m[0]), raw: m[0] };
      return { type: 'number', value: Number(m[0]), raw: m[0] };
    }
    function literal(word) {
      if (text.substr(i, word.length) !== word) fail('json');
      i += word.length;
    }
    function value(depth) {
      ws();
      if (i >= n) fail('json');
      var c = text[i];
      if (c === '"') return { type: 'string', value: string() };
      if (c === '{' || c === '[') {
        if (depth >= MAX_DEPTH) fail('json');
        var start = i;
        skipNested(depth + 1);
        return { type: 'nested', value: null, raw: text.slice(start, i) };
      }
      if (c === 't') { literal('true'); return { type: 'bool', value: true }; }
      if (c === 'f') { literal('false'); return { type: 'bool', value: false }; }
      if (c === 'n') { literal('null'); return { type: 'null', value: null }; }
      if (c === '-' || (c >= '0' && c <= '9')) return number();
      fail('json');
    }
    function skipNested(depth) {
      var open = text[i++];
      var close = open === '{' ? '}' : ']';
      ws();
      if (text[i] === close) { i++; return; }
      for (;;) {
        if (open === '{') {
          ws();
          string();
          ws();
          expect(':');
        }
        value(depth);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === close) { i++; return; }
        fail('json');
      }
    }

    ws();
    expect('{');
    var members = Object.create(null);
    var count = 0;
    var dup = false;
    ws();
    if (text[i] === '}') {
      i++;
    } else {
      for (;;) {
        ws();
        var key = string();
        ws();
        expect(':');
        var v = value(1);
        if (key in members) dup = true;
        else { members[key] = v; count++; }
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; break; }
        fail('json');
      }
    }
    ws();
    if (i !== n) fail('json');
    if (dup) fail('duplicate_key');
    if (count > MAX_MEMBERS) fail('too_long'); /* over a bound, not malformed */
    return members;
  }

  /* The raw text of each element of a JSON array that parseObject accepted. */
  function arrayElements(raw) {
    var out = [];
    var i = 1;
    var depth = 0;
    var start = -1;
    for (; i < raw.length - 1; i++) {
      var c = raw[i];
      if (start < 0 && c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') start = i;
      if (c === '"') {
        for (i++; raw[i] !== '"'; i++) if (raw[i] === '\\') i++;
      } else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      else if (c === ',' && depth === 0) {
        out.push(raw.slice(start, i));
        start = -1;
      }
    }
    if (start >= 0) out.push(raw.slice(start, raw.length - 1));
    return out;
  }

  /* Payload (string, Uint8Array or ArrayBuffer) -> members, with the common rules:
   * too_long, json, duplicate_key, too many members (too_long), then "v". */
  function payloadText(payload, max) {
    var bytes;
    if (typeof payload === 'string') bytes = encoder.encode(payload);
    else if (payload instanceof ArrayBuffer) bytes = new Uint8Array(payload);
    else if (payload && payload.buffer instanceof ArrayBuffer) bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    else fail('json');
    if (bytes.length > (max || PAYLOAD_MAX)) fail('too_long');
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (e) {
      fail('json');
    }
  }

  function members(payload, max) {
    var obj = parseObject(payloadText(payload, max));
    var v = obj.v;
    if (!v) fail('missing');
    if (v.type !== 'int' || v.value !== 1n) fail('version');
    return obj;
  }

  /* ---- field readers (throw the error name) ---- */
  function get(obj, key, required) {
    var m = obj[key];
    if (!m) {
      if (required) fail('missing');
      return undefined;
    }
    return m;
  }
  function str(obj, key, required, maxBytes) {
    var m = get(obj, key, required);
    if (!m) return undefined;
    if (m.type !== 'string') fail('type');
    if (maxBytes !== undefined && utf8Length(m.value) > maxBytes) fail('too_long');
    return m.value;
  }
  function int(obj, key, required, min, max) {
    var m = get(obj, key, required);
    if (!m) return undefined;
    if (m.type !== 'int') fail('type');
    if (m.value < min || m.value > max) fail('range');
    return Number(m.value);
  }
  function bool(obj, key, required) {
    var m = get(obj, key, required);
    if (!m) return undefined;
    if (m.type !== 'bool') fail('type');
    return m.value;
  }
  function id(obj, key, required) {
    var s = str(obj, key, required);
    if (s === undefined) return undefined;
    if (!ID_RE.test(s)) fail('bad_id');
    return s;
  }
  function kindField(obj, key, required, kinds) {
    var s = str(obj, key, required);
    if (s === undefined) return undefined;
    if (kinds.indexOf(s) < 0) fail('bad_kind');
    return s;
  }

  /* ---- staff names (docs/protocol.md "cmd"; the C core's cb_name_check) ----
   * 1..32 bytes of UTF-8, no control character (C0, DEL, C1), no leading or
   * trailing space (so not blank either). Takes a string, or bytes (Uint8Array).
   * Returns null when the name is fine, else the error name: too_long, range, json. */
  function hasControl(s) {
    for (var k = 0; k < s.length; k++) {
      var c = s.charCodeAt(k);
      if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) return true;
    }
    return false;
  }
  function hasLoneSurrogate(s) {
    for (var k = 0; k < s.length; k++) {
      var c = s.charCodeAt(k);
      if (c >= 0xd800 && c <= 0xdbff) {
        var d = s.charCodeAt(k + 1);
        if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
        k++;
      } else if (c >= 0xdc00 && c <= 0xdfff) return true;
    }
    return false;
  }
  function checkName(name) {
    var bytes, text;
    if (typeof name === 'string') bytes = encoder.encode(name);
    else if (name instanceof Uint8Array) bytes = name;
    else return 'arg';
    if (bytes.length > NAME_MAX) return 'too_long';
    if (bytes.length === 0 || bytes.indexOf(0) >= 0) return 'range';
    if (typeof name === 'string') {
      if (hasLoneSurrogate(name)) return 'json';
      text = name;
    } else {
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch (e) {
        return 'json';
      }
    }
    if (hasControl(text)) return 'range';
    if (text[0] === ' ' || text[text.length - 1] === ' ') return 'range';
    return null;
  }
  function staffName(obj, key, required) {
    var s = str(obj, key, required, NAME_MAX);
    if (s === undefined) return undefined;
    var err = checkName(s);
    if (err) fail(err);
    return s;
  }

  /* ---- age classes (docs/protocol.md "Age classes"; the C core's cb_age_class_of)
   * The one rule both boards colour a request by: 'new' below warn_s, 'warn' below
   * late_s, else 'late'; 'acked' once acknowledged, whatever its age. Throws
   * Error('range') when warn_s > late_s. */
  function ageClass(waitingS, acknowledged, thresholds) {
    var t = thresholds || AGE_DEFAULTS;
    if (!(t.warn_s <= t.late_s)) throw new Error('range');
    if (acknowledged) return 'acked';
    if (waitingS < t.warn_s) return 'new';
    if (waitingS < t.late_s) return 'warn';
    return 'late';
  }
  /* Whole seconds from pressed_at to now (both ms); 0 if pressed_at is later. */
  function waitingSeconds(pressedAt, now) {
    return now > pressedAt ? Math.floor((now - pressedAt) / 1000) : 0;
  }

  /* ---- the escalation chain (docs/protocol.md; the C core's cb_rings) ----
   * Whether a board rings for a request at `level` of a table in `section` ('' for
   * none). `me` is the board's sign-in {role, sections}, or null when not signed in.
   * Throws Error('range') for an unknown level. */
  function rings(level, section, me) {
    if (LEVELS.indexOf(level) < 0) throw new Error('range');
    var signedIn = !!me && me.role !== 'off';
    var mine = signedIn && section !== '' && me.sections.indexOf(section) >= 0;
    if (level === 'section') return mine;
    if (level === 'floor') return mine || !signedIn || me.role === 'staff';
    return true;
  }

  /* ---- the boards' start-up view (docs/protocol.md; the C core's cb_view_takes) ----
   * Whether a board replaces what it shows of a table (version `shown`: the updated_at
   * of the state it applied or the `at` of the hub's answer it applied, 0 for none)
   * with what it is offered: a 'state' (its updated_at) when offered >= shown, the hub's
   * 'snapshot' (the calls answer's `at`) only when offered > shown. Throws
   * Error('range') for another source. */
  function viewTakes(from, offered, shown) {
    if (from === 'state') return offered >= shown;
    if (from === 'snapshot') return offered > shown;
    throw new Error('range');
  }

  function wrap(fn) {
    return function (input) {
      try {
        return { ok: true, value: fn(input) };
      } catch (e) {
        if (e instanceof Fail) return { ok: false, error: e.name };
        throw e;
      }
    };
  }

  /* ---- topics ---- */
  var decodeTopic = wrap(function (topic) {
    if (typeof topic !== 'string') fail('bad_topic');
    if (utf8Length(topic) > TOPIC_MAX) fail('too_long');
    var p = topic.split('/');
    if (p[0] !== 'callbell' || p.length < 4) fail('bad_topic');
    var type = null;
    var idPart = '';
    if (p[2] === 'table' && p.length === 5) {
      type = { press: 'press', state: 'state', cmd: 'cmd' }[p[4]];
      idPart = p[3];
    } else if (p[2] === 'device' && p.length === 5) {
      type = { status: 'device_status', info: 'device_info' }[p[4]];
      idPart = p[3];
    } else if (p[2] === 'hub' && p.length === 4) {
      type = { status: 'hub_status', stats: 'hub_stats', request: 'hub_request', site: 'hub_site' }[p[3]];
      idPart = null;
    } else if (p[2] === 'staff' && p.length === 5) {
      type = { signin: 'signin' }[p[4]];
      idPart = p[3];
    } else if (p[2] === 'reply' && p.length === 4) {
      type = 'reply';
      idPart = p[3];
    }
    if (!type) fail('bad_topic');
    if (!ID_RE.test(p[1])) fail('bad_id');
    if (idPart !== null && !ID_RE.test(idPart)) fail('bad_id');
    return { type: type, site: p[1], id: idPart === null ? '' : idPart };
  });

  function topicFor(type, site, tid) {
    if (!ID_RE.test(site)) throw new Error('bad site id: ' + site);
    var base = 'callbell/' + site + '/';
    switch (type) {
      case 'press': case 'state': case 'cmd':
        if (!ID_RE.test(tid)) throw new Error('bad table id: ' + tid);
        return base + 'table/' + tid + '/' + type;
      case 'device_status': case 'device_info':
        if (!ID_RE.test(tid)) throw new Error('bad device id: ' + tid);
        return base + 'device/' + tid + '/' + type.slice(7);
      case 'hub_status': case 'hub_stats': case 'hub_request': case 'hub_site':
        return base + 'hub/' + type.slice(4);
      case 'reply':
        if (!ID_RE.test(tid)) throw new Error('bad client id: ' + tid);
        return base + 'reply/' + tid;
      case 'signin':
        if (!ID_RE.test(tid)) throw new Error('bad client id: ' + tid);
        return base + 'staff/' + tid + '/signin';
    }
    throw new Error('unknown topic type ' + type);
  }

  /* ---- payloads, fields in the order of protocol.md's tables ---- */
  var decodePress = wrap(function (payload) {
    var o = members(payload);
    var out = {};
    out.device = id(o, 'device', true);
    out.boot = int(o, 'boot', true, 0n, U32);
    out.seq = int(o, 'seq', true, 1n, U32);
    out.kind = kindField(o, 'kind', true, KINDS);
    out.age_ms = Math.min(int(o, 'age_ms', true, 0n, U32), PRESS_AGE_MAX_MS);
    var text = str(o, 'text', false, TEXT_MAX);
    if (text !== undefined) out.text = text;
    var mv = int(o, 'battery_mv', false, 0n, 10000n);
    if (mv !== undefined) out.battery_mv = mv;
    var rssi = int(o, 'rssi', false, -127n, 0n);
    if (rssi !== undefined) out.rssi = rssi;
    var upMs = int(o, 'up_ms', false, 0n, JS_SAFE_MAX);
    if (upMs !== undefined) out.up_ms = upMs;
    var sentAt = int(o, 'sent_at', false, 0n, JS_SAFE_MAX);
    if (sentAt !== undefined) out.sent_at = sentAt;
    return out;
  });

  /* One request of a state (an element of "requests"): its fields in table order,
   * then the rules that tie them (only an acknowledged request has a name and a time). */
  function decodeRequest(raw) {
    var o;
    try {
      o = parseObject(raw);
    } catch (e) {
      if (e instanceof Fail && e.name === 'json') fail('type'); /* valid JSON, not an object */
      throw e;
    }
    var r = {};
    r.kind = kindField(o, 'kind', true, REQUEST_KINDS);
    r.call = int(o, 'call', true, 1n, I64_MAX);
    var status = str(o, 'status', true);
    if (REQUEST_STATUSES.indexOf(status) < 0) fail('range');
    r.status = status;
    r.count = int(o, 'count', true, 1n, U32);
    r.repeats = int(o, 'repeats', true, 0n, U32);
    var level = str(o, 'level', false);
    if (level !== undefined && LEVELS.indexOf(level) < 0) fail('range');
    r.level = level === undefined ? 'floor' : level; /* a hub without sections rang everyone */
    r.pressed_at = int(o, 'pressed_at', true, 0n, I64_MAX);
    r.acked_by = str(o, 'acked_by', true, NAME_MAX);
    r.acked_at = int(o, 'acked_at', true, 0n, I64_MAX);
    if (status === 'acknowledged') {
      if (checkName(r.acked_by)) fail('range');
    } else if (r.acked_by !== '' || r.acked_at !== 0) {
      fail('range');
    }
    return r;
  }

  /* The table's status derived from its requests (docs/protocol.md "state"). */
  function tableStatus(requests) {
    var st = 'idle';
    requests.forEach(function (r) {
      if (r.status === 'calling') st = 'calling';
      else if (st === 'idle') st = 'acknowledged';
    });
    return st;
  }

  /* One request per kind, oldest (pressed_at, then call) first. */
  function checkRequestSet(requests) {
    for (var k = 1; k < requests.length; k++) {
      for (var j = 0; j < k; j++) {
        var a = requests[j];
        var b = requests[k];
        if (a.kind === b.kind || a.call === b.call) fail('range'); // one per kind; an id names one request
        if (a.pressed_at > b.pressed_at || (a.pressed_at === b.pressed_at && a.call >= b.call)) fail('range');
      }
    }
  }

  var decodeState = wrap(function (payload) {
    var o = members(payload, STATE_PAYLOAD_MAX);
    var out = {};
    out.table = id(o, 'table', true);
    var section = id(o, 'section', false);
    if (section !== undefined) out.section = section;
    var status = str(o, 'status', true);
    if (STATUSES.indexOf(status) < 0) fail('range');
    out.status = status;
    var m = get(o, 'requests', true);
    if (m.type !== 'nested' || m.raw[0] !== '[') fail('type');
    out.requests = [];
    arrayElements(m.raw).forEach(function (raw) {
      if (out.requests.length === REQUEST_MAX) fail('range');
      out.requests.push(decodeRequest(raw));
    });
    out.updated_at = int(o, 'updated_at', true, 0n, I64_MAX);
    checkRequestSet(out.requests);
    if (tableStatus(out.requests) !== status) fail('range');
    return out;
  });

  var decodeCmd = wrap(function (payload) {
    var o = members(payload);
    var out = {};
    var action = str(o, 'action', true);
    if (ACTIONS.indexOf(action) < 0) fail('bad_action');
    out.action = action;
    out.by = staffName(o, 'by', true);
    var kind = kindField(o, 'kind', false, REQUEST_KINDS);
    if (kind !== undefined) out.kind = kind;
    var call = int(o, 'call', false, 1n, I64_MAX);
    if (call !== undefined) out.call = call;
    var from = id(o, 'from', false);
    if (from !== undefined) out.from = from;
    return out;
  });

  /* cmd reply (hub -> the staff client a cmd named in "from"): error and reason only
   * when not ok. */
  var decodeCmdReply = wrap(function (payload) {
    var o = members(payload);
    var out = {};
    out.table = id(o, 'table', true);
    var action = str(o, 'action', true);
    if (ACTIONS.indexOf(action) < 0) fail('bad_action');
    out.action = action;
    out.call = int(o, 'call', true, 0n, I64_MAX);
    out.ok = bool(o, 'ok', true);
    if (!out.ok) {
      out.error = str(o, 'error', true, ERROR_NAME_MAX);
      out.reason = str(o, 'reason', true, REASON_MAX);
      if (out.reason.indexOf('\u0000') >= 0) fail('range');
    }
    return out;
  });

  /* press reply (hub -> presser): call only when ok (0 when absent), error and
   * reason only when not. */
  var decodePressReply = wrap(function (payload) {
    var o = members(payload);
    var out = {};
    out.boot = int(o, 'boot', true, 0n, U32);
    out.seq = int(o, 'seq', true, 1n, U32);
    out.ok = bool(o, 'ok', true);
    out.table = id(o, 'table', true);
    out.kind = kindField(o, 'kind', true, KINDS);
    var call = int(o, 'call', false, 0n, I64_MAX);
    if (out.ok) {
      out.call = call === undefined ? 0 : call;
    } else {
      out.error = str(o, 'error', true, ERROR_NAME_MAX);
      out.reason = str(o, 'reason', true, REASON_MAX);
      if (out.reason.indexOf('\u0000') >= 0) fail('range');
    }
    return out;
  });

  var decodeInfo = wrap(function (payload) {
    var o = members(payload);
    var out = {};
    out.fw = str(o, 'fw', true, FW_MAX);
    var tables = str(o, 'tables', false, TEXT_MAX);
    if (tables !== undefined) out.tables = tables;
    var rssi = int(o, 'rssi', false, -127n, 0n);
    if (rssi !== undefined) out.rssi = rssi;
    var mv = int(o, 'battery_mv', false, 0n, 10000n);
    if (mv !== undefined) out.battery_mv = mv;
    var low = bool(o, 'low_battery', false);
    if (low !== undefined) out.low_battery = low;
    out.uptime_s = int(o, 'uptime_s', true, 0n, U32);
    return out;
  });

  /* ---- site (docs/protocol.md "site") ---- */

  /* A display name: 1..64 bytes of UTF-8, no control character. */
  function displayName(obj, key) {
    var s = str(obj, key, true, DISPLAY_NAME_MAX);
    if (s === '' || hasControl(s)) fail('range');
    return s;
  }

  /* "kinds": 1..4 distinct kinds, returned in the order call, bill, water, cancel;
   * absent = all four. */
  function kindsField(obj) {
    var m = get(obj, 'kinds', false);
    if (!m) return KINDS.slice();
    if (m.type !== 'nested' || m.raw[0] !== '[') fail('type');
    var seen = {};
    arrayElements(m.raw).forEach(function (raw) {
      if (raw[0] !== '"') fail('type');
      var k = JSON.parse(raw);
      if (KINDS.indexOf(k) < 0) fail('bad_kind');
      if (seen[k]) fail('range');
      seen[k] = true;
    });
    var out = KINDS.filter(function (k) { return seen[k]; });
    if (!out.length) fail('range');
    return out;
  }

  function decodeSiteTable(raw) {
    if (raw[0] !== '{') fail('type');
    var o = parseObject(raw);
    var t = {};
    t.id = id(o, 'id', true);
    t.name = displayName(o, 'name');
    t.kinds = kindsField(o);
    return t;
  }

  var decodeSite = wrap(function (payload) {
    var o = members(payload, SITE_PAYLOAD_MAX);
    var out = {};
    out.site = id(o, 'site', true);
    out.name = displayName(o, 'name');
    out.warn_s = int(o, 'warn_s', true, 0n, SECONDS_LIMIT);
    out.late_s = int(o, 'late_s', true, 0n, SECONDS_LIMIT);
    if (out.late_s < out.warn_s) fail('range');
    out.realert_s = int(o, 'realert_s', true, 1n, SECONDS_LIMIT);
    out.ack_timeout_s = int(o, 'ack_timeout_s', true, 1n, SECONDS_LIMIT);
    out.table_count = int(o, 'table_count', true, 0n, U32);
    var m = get(o, 'tables', true);
    if (m.type !== 'nested' || m.raw[0] !== '[') fail('type');
    out.tables = [];
    var ids = {};
    arrayElements(m.raw).forEach(function (raw) {
      if (out.tables.length === SITE_LIST_MAX) fail('range');
      var t = decodeSiteTable(raw);
      if (Object.prototype.hasOwnProperty.call(ids, t.id)) fail('range');
      ids[t.id] = true;
      out.tables.push(t);
    });
    if (out.table_count < out.tables.length) fail('range');
    return out;
  });

  /* stats: percentiles are numbers (any JSON number) or null. */
  var decodeStats = wrap(function (payload) {
    var o = members(payload);
    var out = {};
    out.day = str(o, 'day', true, ID_MAX);
    out.calls = int(o, 'calls', true, 0n, U32);
    out.acked = int(o, 'acked', true, 0n, U32);
    out.done = int(o, 'done', true, 0n, U32);
    ['ack_p50_s', 'ack_p90_s', 'done_p50_s', 'done_p90_s'].forEach(function (k) {
      var m = get(o, k, true);
      if (m.type === 'null') out[k] = null;
      else if (m.type === 'int' || m.type === 'number') {
        var x = Number(m.value);
        if (!(x >= 0)) fail('range');
        out[k] = x;
      } else fail('type');
    });
    out.updated_at = int(o, 'updated_at', true, 0n, I64_MAX);
    return out;
  });

  /* Plain-text status topics: "online" / "offline"; the hub's also "degraded" (it runs
     but cannot store calls: full or read-only disk). */
  function decodeOnline(payload) {
    var text;
    try { text = payloadText(payload); } catch (e) { return { ok: false, error: e instanceof Fail ? e.name : 'json' }; }
    if (text === 'online' || text === 'offline' || text === 'degraded') return { ok: true, value: text };
    return { ok: false, error: 'range' };
  }

  /* ---- encoders ---- */

  /* Builds a cmd payload string; throws Error(<error name>) for invalid input.
   * `target` is optional: {kind, call}, each included when given. Without either the
   * hub acts on every open request of the table, so the boards always name both.
   * `from` is optional: the client id the hub answers on (reply/<from>). */
  function buildCmd(action, by, target, from) {
    var t = target || {};
    if (ACTIONS.indexOf(action) < 0) throw new Error('bad_action');
    var err = checkName(by);
    if (err) throw new Error(err);
    var s = '{"v":1,"action":' + JSON.stringify(action) + ',"by":' + JSON.stringify(by);
    if (t.kind !== undefined) {
      if (REQUEST_KINDS.indexOf(t.kind) < 0) throw new Error('bad_kind');
      s += ',"kind":' + JSON.stringify(t.kind);
    }
    if (t.call !== undefined) {
      if (!Number.isSafeInteger(t.call) || t.call < 1) throw new Error('range');
      s += ',"call":' + String(t.call);
    }
    if (from !== undefined) {
      if (typeof from !== 'string' || !ID_RE.test(from)) throw new Error('bad_id');
      s += ',"from":' + JSON.stringify(from);
    }
    return s + '}';
  }

  /* A sign-in payload (docs/protocol.md "sign-in"); throws Error(<error name>). */
  function buildSignin(by, role, sections) {
    var err = checkName(by);
    if (err) throw new Error(err);
    if (ROLES.indexOf(role) < 0) throw new Error('range');
    if (!Array.isArray(sections) || sections.length > SIGNIN_SECTIONS_MAX) throw new Error('too_long');
    sections.forEach(function (s, k) {
      if (typeof s !== 'string' || !ID_RE.test(s)) throw new Error('bad_id');
      if (sections.indexOf(s) !== k) throw new Error('range');
    });
    var text = sections.join(',');
    if (text.length > SECTIONS_TEXT_MAX) throw new Error('too_long');
    return '{"v":1,"by":' + JSON.stringify(by) + ',"role":' + JSON.stringify(role) + ',"sections":' +
      JSON.stringify(text) + '}';
  }

  root.CallbellProtocol = {
    VERSION: 1,
    PAYLOAD_MAX: PAYLOAD_MAX,
    NAME_MAX: NAME_MAX,
    KINDS: KINDS.slice(),
    REQUEST_KINDS: REQUEST_KINDS.slice(),
    AGE_DEFAULTS: { warn_s: AGE_DEFAULTS.warn_s, late_s: AGE_DEFAULTS.late_s },
    isId: function (s) { return typeof s === 'string' && ID_RE.test(s); },
    checkName: checkName,
    ageClass: ageClass,
    waitingSeconds: waitingSeconds,
    tableStatus: tableStatus,
    decodeTopic: decodeTopic,
    topicFor: topicFor,
    decodePress: decodePress,
    decodePressReply: decodePressReply,
    decodeState: decodeState,
    decodeCmd: decodeCmd,
    decodeCmdReply: decodeCmdReply,
    decodeInfo: decodeInfo,
    decodeStats: decodeStats,
    decodeSite: decodeSite,
    decodeOnline: decodeOnline,
    buildCmd: buildCmd,
    buildSignin: buildSignin,
    rings: rings,
    viewTakes: viewTakes,
    LEVELS: LEVELS.slice(),
    decoders: {
      topic: decodeTopic,
      press: decodePress,
      press_reply: decodePressReply,
      state: decodeState,
      cmd: decodeCmd,
      cmd_reply: decodeCmdReply,
      info: decodeInfo,
      site: decodeSite,
      stats: decodeStats
    }
  };
})(typeof globalThis !== 'undefined' ? globalThis : this);
