// Loads the board's classic browser scripts (web/src/protocol.js, and those that
// build on it) into a fresh node:vm context, exactly as the browser would see them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function loadScripts(...names) {
  const context = vm.createContext({ TextEncoder, TextDecoder, ArrayBuffer, Uint8Array });
  for (const name of names) {
    const file = new URL(`../../web/src/${name}`, import.meta.url);
    vm.runInContext(readFileSync(file, 'utf8'), context, { filename: fileURLToPath(file) });
  }
  return context;
}

export function loadProtocol() {
  return loadScripts('protocol.js').CallbellProtocol;
}
