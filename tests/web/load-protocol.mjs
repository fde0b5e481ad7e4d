// Loads web/src/protocol.js (a classic browser script) into a fresh node:vm context
// and returns its CallbellProtocol object, exactly as the browser would see it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function loadProtocol() {
  const file = new URL('../../web/src/protocol.js', import.meta.url);
  const context = vm.createContext({ TextEncoder, TextDecoder, ArrayBuffer, Uint8Array });
  vm.runInContext(readFileSync(file, 'utf8'), context, { filename: fileURLToPath(file) });
  return context.CallbellProtocol;
}
