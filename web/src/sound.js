/* sound.js - the board's bell and spoken announcements.
 *
 * Browsers play sound only after a user gesture: unlock() is called on every tap and
 * resumes the AudioContext; until then needsUnlock() tells the page to offer a button.
 * A classic script (see protocol.js); defines window.CallbellSound.
 */
(function (root) {
  'use strict';

  var audioCtx = null;
  var onChange = function () {};

  function AudioCtor() { return root.AudioContext || root.webkitAudioContext; }
  function ready() { return !!audioCtx && audioCtx.state === 'running'; }

  /* Creates or resumes the audio context (from a user gesture). */
  function unlock() {
    var AC = AudioCtor();
    if (!AC) return;
    try {
      if (!audioCtx) audioCtx = new AC();
      if (audioCtx.state === 'suspended') audioCtx.resume().then(function () { onChange(); }, function () {});
    } catch (e) { audioCtx = null; }
    onChange();
  }

  /* True when sound is possible in this browser but not allowed yet. */
  function needsUnlock() { return !!AudioCtor() && !ready(); }

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

  /* 'new': the classic two-tone ding-dong; 'realert': three quick rising pings, more
   * urgent. Returns false when audio is still locked. */
  function chime(kind) {
    if (!ready()) return false;
    var t = audioCtx.currentTime + 0.02;
    if (kind === 'realert') {
      tone(988, t, 0.25, 0.35); tone(988, t + 0.2, 0.25, 0.35); tone(1319, t + 0.4, 0.6, 0.4);
    } else {
      tone(1319, t, 0.9, 0.4); tone(1047, t + 0.28, 1.2, 0.35);
    }
    return true;
  }

  function speak(text) {
    if (!('speechSynthesis' in root)) return;
    try {
      var u = new root.SpeechSynthesisUtterance(text);
      u.lang = 'en';
      u.rate = 1;
      root.speechSynthesis.speak(u);
    } catch (e) { /* no voices: the bell is enough */ }
  }

  root.CallbellSound = {
    unlock: unlock,
    needsUnlock: needsUnlock,
    chime: chime,
    speak: speak,
    onChange: function (fn) { onChange = fn; }
  };
})(window);
