// Objects whose reads run app code, for the bypass table (src/safety.test.ts). Every trick writes
// `target` when it runs: a test passes only if the file never appears.
import { writeFileSync } from 'node:fs';

export const runs = { n: 0 };

export function probe(target, text) {
  const pwn = () => writeFileSync(target, 'pwned');
  const evil = {
    includes() { pwn(); return true; },
    get sneaky() { pwn(); return 1; },
    get spin() { for (;;) {} },
    toString() { pwn(); return 'x'; },
  };
  const prim = { [Symbol.toPrimitive]() { pwn(); return 1; } };
  const vof = { valueOf() { pwn(); return 1; } };
  const prox = new Proxy({}, { get() { pwn(); return 1; }, has() { pwn(); return true; } });
  const list = ['a', 'b'];
  runs.n++; // BP-PROBE
  return text.length + list.length + (evil && prim && vof && prox ? 0 : 1);
}

// A `debugger;` statement pauses here for the runtime half of the table (no static check).
export function pauseHere(target, text) {
  const pwn = () => writeFileSync(target, 'pwned');
  const evil = { get sneaky() { pwn(); return 1; }, toString() { pwn(); return 'x'; } };
  debugger; // eslint-disable-line no-debugger
  return text.length + (evil ? 0 : 1);
}
