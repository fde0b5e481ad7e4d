#!/usr/bin/env node
// Builds the static board into OUTDIR: the page files of web/src/ plus mqtt.js's and
// uPlot's browser bundles from node_modules (installed from package-lock.json by `npm ci`).
//
//   node web/build.mjs OUTDIR
//
// `callbell broker --http-dir OUTDIR` then serves it (lighttpd, or Mosquitto's http_dir);
// sw.js, the service worker, must stay at the top of OUTDIR: its scope is the page's.
// Nothing is transformed: the page is plain classic scripts (Mosquitto's http_dir, what
// serves it where lighttpd is not installed, sends no Content-Type, which rules out ES
// modules in the browser).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out || process.argv.length > 3) {
  console.error('usage: node web/build.mjs OUTDIR');
  process.exit(2);
}
const outDir = resolve(out);
const srcDir = join(here, 'src');
const mqttBundle = join(here, 'node_modules', 'mqtt', 'dist', 'mqtt.min.js');
// uPlot draws the reports view's charts (reports.html)
const uplotDir = join(here, 'node_modules', 'uplot', 'dist');
const vendored = [[mqttBundle, 'mqtt.min.js'], [join(uplotDir, 'uPlot.iife.min.js'), 'uPlot.iife.min.js'],
  [join(uplotDir, 'uPlot.min.css'), 'uPlot.min.css']];

for (const [from] of vendored) {
  if (!existsSync(from)) {
    console.error(`build.mjs: ${from} is missing; run \`npm ci --prefix ${here}\` first`);
    process.exit(1);
  }
}
if (outDir === srcDir || outDir === here) {
  console.error('build.mjs: OUTDIR must not be web/ or web/src/');
  process.exit(2);
}

// Start clean so a file removed from src/ does not linger in the served folder.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const files = [];
for (const name of readdirSync(srcDir)) {
  const from = join(srcDir, name);
  if (!statSync(from).isFile()) continue;
  copyFileSync(from, join(outDir, name));
  files.push(name);
}
for (const [from, name] of vendored) {
  copyFileSync(from, join(outDir, name));
  files.push(name);
}

// Record what was built with which mqtt.js (shown in the settings panel's footer).
const mqttVersion = JSON.parse(readFileSync(join(here, 'node_modules', 'mqtt', 'package.json'), 'utf8')).version;
const pageVersion = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).version;
writeFileSync(join(outDir, 'build-info.js'),
  `window.CALLBELL_BUILD = ${JSON.stringify({ version: pageVersion, mqtt: mqttVersion })};\n`);
files.push('build-info.js');

console.log(`build.mjs: ${files.length} files -> ${outDir}`);
