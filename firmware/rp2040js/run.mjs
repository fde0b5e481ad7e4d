// run.mjs - runs the built callbell Pico W image in rp2040js and checks what a board
// on a desk would show: the boot log on USB serial, a press on each button becomes
// "press queued" for the right table and kind, a 20 us glitch becomes nothing, and
// the setup console's set / save / reboot keeps the settings across the reboot.
//
//   node run.mjs --image build-pico/callbell_pico_w.bin --bootrom PATH
//
// rp2040js emulates the RP2040 (cores, timers, GPIO, USB), not the CYW43 Wi-Fi chip:
// nothing here joins a network or reaches a broker, and the on-board LED (on the
// Wi-Fi chip) is not seen. The RP2040's boot ROM is not part of the npm package: give
// it as a raw 16 KiB .bin or as rp2040js's demo/bootrom.ts (see ../run-rp2040js.sh).
import fs from 'node:fs';
import { ConsoleLogger, LogLevel, Simulator, USBCDC } from 'rp2040js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
if (!args.image || !args.bootrom) {
  console.error('usage: node run.mjs --image callbell_pico_w.bin --bootrom bootrom.bin|bootrom.ts');
  process.exit(2);
}

function loadBootrom(path) {
  const data = fs.readFileSync(path);
  if (path.endsWith('.ts') || path.endsWith('.js')) {
    const words = data.toString('utf8').match(/0x[0-9a-fA-F]{1,8}/g) ?? [];
    return new Uint32Array(words.map((w) => parseInt(w, 16)));
  }
  return new Uint32Array(data.buffer, data.byteOffset, Math.floor(data.length / 4));
}

// rp2040js reads flash but does not emulate writing it (its SSI has no flash chip
// behind it). So the two boot ROM functions the SDK's flash_range_erase and
// flash_range_program end in ('RE' and 'RP' in the ROM's function table) are
// replaced by a BKPT, and the harness does their work on the emulated flash with the
// same arguments, then returns to the caller. Everything up to the ROM call (the
// firmware's settings store, flash_safe_execute, the SDK) runs as on a board.
const BKPT_ERASE = 0xbe70;
const BKPT_PROGRAM = 0xbe71;
function romFunction(rom, code) {
  const half = (addr) => (rom[addr >> 2] >>> ((addr & 2) * 8)) & 0xffff;
  for (let entry = half(0x14); half(entry) !== 0; entry += 4) {
    if (half(entry) === code) return half(entry + 2) & ~1;
  }
  throw new Error(`boot ROM function ${code.toString(16)} not found`);
}
function patchRom(rom) {
  const patched = new Uint32Array(rom);
  const put = (addr, value) => {
    const shift = (addr & 2) * 8;
    patched[addr >> 2] = (patched[addr >> 2] & ~(0xffff << shift)) | (value << shift);
  };
  put(romFunction(rom, 0x4552 /* 'R','E' */), BKPT_ERASE);
  put(romFunction(rom, 0x5052 /* 'R','P' */), BKPT_PROGRAM);
  return patched;
}
function attachFlashModel(mcu) {
  mcu.onBreak = (code) => {
    const core = mcu.core;
    const [r0, r1, r2] = core.registers;
    if (code === (BKPT_ERASE & 0xff)) {
      // flash_range_erase(addr, count, block_size, block_cmd): whole 4 KiB sectors
      mcu.flash.fill(0xff, r0 & ~0xfff, (r0 + r1 + 0xfff) & ~0xfff);
    } else if (code === (BKPT_PROGRAM & 0xff)) {
      // flash_range_program(addr, data, count): bits can only go from 1 to 0
      for (let i = 0; i < r2; i++) mcu.flash[r0 + i] &= mcu.readUint8(r1 + i);
    } else {
      fail(`breakpoint ${code} hit in the firmware`);
    }
    core.breakRewind = 0;
    core.PC = core.registers[14] & ~1; // return to the caller (LR)
  };
}

let sim = null;
let mcu = null;
let reboots = 0;
const bootrom = patchRom(loadBootrom(args.bootrom));

// Power-on (or a reboot): a new chip with the same flash contents.
function boot(flash) {
  sim = new Simulator();
  mcu = sim.rp2040;
  mcu.logger = new ConsoleLogger(LogLevel.Error);
  mcu.loadBootrom(bootrom);
  mcu.flash.set(flash, 0);
  attachFlashModel(mcu);
  const watchdog = mcu.peripherals[0x40058];
  const thisSim = sim;
  watchdog.onWatchdogTrigger = () => {
    if (thisSim !== sim) return; // already rebooted
    watchdog.alarm.enable = false; // the emulator's alarm is periodic
    const kept = new Uint8Array(mcu.flash); // a reboot keeps the flash, nothing else
    sim.stop();
    sim = null;
    reboots++;
    setTimeout(() => boot(kept), 0);
  };
  attachUsb();
  mcu.core.PC = 0x10000000;
  sim.execute();
}

let serial = ''; // everything the device wrote on USB serial, across reboots
let cdc = null;
function attachUsb() {
  cdc = new USBCDC(mcu.usbCtrl);
  cdc.onSerialData = (buffer) => {
    const text = Buffer.from(buffer).toString('latin1');
    serial += text;
    if (process.env.RP2040JS_VERBOSE) process.stdout.write(text);
  };
}
boot(fs.readFileSync(args.image));

const simMs = () => (sim ? sim.clock.nanos / 1e6 : 0); // since the last boot
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits (real time, at most limitMs) until the serial output after `from` matches re.
async function expectSerial(re, limitMs, what, from = 0) {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    const m = serial.slice(from).match(re);
    if (m) return m;
    await sleep(20);
  }
  fail(`${what}: no ${re} within ${limitMs / 1000} s (simulated ${simMs().toFixed(0)} ms)`);
}

// Lets simulated time pass (the emulator runs as fast as it can).
async function runFor(simulatedMs) {
  const start = sim;
  const end = simMs() + simulatedMs;
  while (sim === start && simMs() < end) await sleep(5);
}

function send(line) {
  for (const c of Buffer.from(line + '\n', 'latin1')) cdc.sendSerialByte(c);
}

let failures = 0;
function fail(message) {
  console.log(`FAIL ${message}`);
  console.log('--- serial output (last 3000 characters) ---');
  console.log(serial.slice(-3000));
  sim.stop();
  process.exit(1);
}
function pass(message) {
  console.log(`ok   ${message}`);
}

// A press: the pin high for holdMs of simulated time (the seed's wiring: pull-down,
// pressed = high).
async function press(gpio, holdMs) {
  mcu.gpio[gpio].setInputValue(true);
  await runFor(holdMs);
  mcu.gpio[gpio].setInputValue(false);
  await runFor(100);
}

// A glitch shorter than a ms, timed by the simulated clock.
async function glitch(gpio, micros) {
  const drop = sim.clock.createAlarm(() => mcu.gpio[gpio].setInputValue(false));
  mcu.gpio[gpio].setInputValue(true);
  drop.schedule(micros * 1000);
  await runFor(200);
}

async function main() {
  const limit = Number(process.env.RP2040JS_LIMIT_S ?? 240) * 1000;
  await expectSerial(/callbell \S+ on pico_w/, limit, 'boot log');
  pass('boot log: ' + serial.match(/callbell \S+ on pico_w.*/)[0].trim());
  await expectSerial(/button GP19: table 4 call/, limit, 'button map logged');
  pass('button map from the build defaults (GP16-GP19 = tables 1-4, call)');

  for (const [gpio, table] of [[16, '1'], [17, '2'], [18, '3'], [19, '4']]) {
    const from = serial.length;
    await press(gpio, 80);
    await expectSerial(new RegExp(`press queued: table ${table} call`), limit, `press on GP${gpio}`, from);
    pass(`GP${gpio} pressed 80 ms -> "press queued: table ${table} call"`);
  }

  const beforeGlitch = serial.length;
  await glitch(17, 20);
  await runFor(500);
  if (/press (queued|merged)/.test(serial.slice(beforeGlitch))) fail('a 20 us glitch on GP17 became a press');
  pass('a 20 us glitch on GP17 -> nothing');

  // The console: set, save, reboot; the settings are there after the reboot.
  let from = serial.length;
  send('set site emulated');
  await expectSerial(/ok site set/, limit, 'console set', from);
  send('set buttons 16=7:call,17=7:bill');
  await expectSerial(/ok buttons set/, limit, 'console set buttons', from);
  send('save');
  await expectSerial(/ok saved/, limit, 'console save', from);
  pass('console: set site, set buttons, save -> ok');
  from = serial.length;
  send('reboot');
  await expectSerial(/ok rebooting/, limit, 'console reboot', from);
  await expectSerial(/callbell \S+ on pico_w/, limit, 'boot log after the reboot', from);
  if (reboots !== 1) fail(`expected one reboot, saw ${reboots}`);
  await expectSerial(/settings: from flash, copy 0, sequence 1/, limit, 'settings after reboot', from);
  await expectSerial(/site emulated/, limit, 'site after reboot', from);
  await expectSerial(/button GP17: table 7 bill/, limit, 'buttons after reboot', from);
  if (/restarted by the watchdog/.test(serial.slice(from))) fail('a console reboot was reported as a watchdog timeout');
  pass('reboot: settings kept (site emulated, GP17 = table 7 bill), no watchdog message');
  from = serial.length;
  await press(17, 80);
  await expectSerial(/press queued: table 7 bill/, limit, 'press after reboot', from);
  pass('GP17 pressed -> "press queued: table 7 bill"');
  send('get site');
  await expectSerial(/site=emulated\s+ok/, limit, 'get after reboot', from);
  pass('console get site -> emulated');

  // Sleepy mode on battery (the emulator has no VBUS sense, so it counts as battery):
  // after the press and the linger time it turns the radio off and sleeps; a press
  // wakes it and is queued.
  from = serial.length;
  send('set power sleepy');
  await expectSerial(/ok power set/, limit, 'console set power', from);
  send('save');
  await expectSerial(/ok saved/, limit, 'console save power', from);
  send('reboot');
  await expectSerial(/power sleepy/, limit, 'sleepy after reboot', from);
  await expectSerial(/power: sleeping, radio off/, limit, 'sleeps when idle', from);
  pass('power=sleepy: idle after boot -> "power: sleeping, radio off"');
  from = serial.length;
  await press(16, 80);
  await expectSerial(/power: awake/, limit, 'a button wakes it', from);
  await expectSerial(/press queued: table 7 call/, limit, 'the waking press is queued', from);
  pass('a press wakes it -> "power: awake", "press queued: table 7 call"');
  console.log(`rp2040js: all checks passed (${simMs().toFixed(0)} ms simulated)`);
  sim.stop();
  process.exit(failures ? 1 : 0);
}

main().catch((e) => fail(String(e?.stack ?? e)));
