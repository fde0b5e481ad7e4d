/* settings.js - where the board connects and who uses it, remembered on the device.
 *
 * A link's query string (?broker=…&site=…&user=…&pass=…) wins over what is stored, and
 * stored values over the defaults (the broker that served the page, site "demo").
 * A classic script (see protocol.js); defines window.CallbellSettings.
 */
(function (root) {
  'use strict';

  var KEY = {
    broker: 'callbell.broker', site: 'callbell.site', user: 'callbell.user', pass: 'callbell.pass',
    staff: 'callbell.staff', sound: 'callbell.sound', speech: 'callbell.speech',
    sections: 'callbell.sections', role: 'callbell.role', notify: 'callbell.notify', wakelock: 'callbell.wakelock'
  };

  var store = {
    get: function (k) { try { return root.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) {
      try {
        if (v === null || v === undefined || v === '') root.localStorage.removeItem(k);
        else root.localStorage.setItem(k, String(v));
      } catch (e) { /* private mode: settings last for this page only */ }
    }
  };

  function defaultBroker() {
    var loc = root.location;
    if (loc.host) return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/';
    return 'ws://127.0.0.1:9001/';
  }

  function first() {
    for (var i = 0; i < arguments.length; i++) {
      if (arguments[i] !== null && arguments[i] !== undefined) return arguments[i];
    }
    return null;
  }

  /* {broker, site, user, pass} */
  function load() {
    var q = new URLSearchParams(root.location.search);
    return {
      broker: first(q.get('broker'), store.get(KEY.broker), defaultBroker()),
      site: first(q.get('site'), store.get(KEY.site), 'demo'),
      user: first(q.get('user'), store.get(KEY.user), ''),
      pass: first(q.get('pass'), store.get(KEY.pass), '')
    };
  }

  /* Stores a connection; defaults are stored as "nothing", so they follow the page. */
  function save(s) {
    store.set(KEY.broker, s.broker === defaultBroker() ? null : s.broker);
    store.set(KEY.site, s.site === 'demo' ? null : s.site);
    store.set(KEY.user, s.user);
    store.set(KEY.pass, s.pass);
  }

  root.CallbellSettings = {
    load: load,
    save: save,
    defaultBroker: defaultBroker,
    staff: function () { return store.get(KEY.staff) || ''; },
    setStaff: function (name) { store.set(KEY.staff, name); },
    soundOn: function () { return store.get(KEY.sound) !== 'off'; },
    setSoundOn: function (on) { store.set(KEY.sound, on ? null : 'off'); },
    speechOn: function () { return store.get(KEY.speech) === 'on'; },
    setSpeechOn: function (on) { store.set(KEY.speech, on ? 'on' : null); },
    /* the sign-in (docs/protocol.md "sign-in"): a link's ?sections=patio,bar&role=manager
     * wins; sections null = not signed in */
    sections: function () {
      var q = new URLSearchParams(root.location.search);
      return first(q.get('sections'), store.get(KEY.sections));
    },
    role: function () {
      var q = new URLSearchParams(root.location.search);
      return first(q.get('role'), store.get(KEY.role), 'staff');
    },
    setSignin: function (sections, role) {
      store.set(KEY.sections, sections);
      store.set(KEY.role, role === 'staff' ? null : role);
    },
    notifyOn: function () { return store.get(KEY.notify) === 'on'; },
    setNotifyOn: function (on) { store.set(KEY.notify, on ? 'on' : null); },
    /* a dedicated tablet keeps its screen on: ?wakelock=1 or the setting */
    wakeLockOn: function () {
      var q = new URLSearchParams(root.location.search);
      return first(q.get('wakelock'), store.get(KEY.wakelock)) === '1';
    },
    setWakeLockOn: function (on) { store.set(KEY.wakelock, on ? '1' : null); },
    /* ?view=wall: the read-only wall display */
    view: function () { return new URLSearchParams(root.location.search).get('view') || ''; }
  };
})(window);
