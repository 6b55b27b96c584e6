// Values whose reads would run app code, for the capture tests (src/capture.test.ts): every getter
// and trap counts its calls, and a capture must leave the count at 0.
export const calls = { n: 0 };
const count = (v) => {
  calls.n++;
  return v;
};

export function inspect() {
  const obj = { plain: 1, get lazy() { return count(2); } };
  const small = [1, 2, 3];
  Object.defineProperty(small, 0, { get: () => count(9), enumerable: true });
  const big = Array.from({ length: 50 }, (_, i) => i);
  Object.defineProperty(big, 3, { get: () => count(9), enumerable: true });
  const prox = new Proxy({ a: 1 }, {
    get: () => count(1),
    has: () => count(true),
    ownKeys: () => count(['a']),
    getOwnPropertyDescriptor: () => count({ value: 1, enumerable: true, configurable: true }),
    getPrototypeOf: () => count(null),
  });
  class Account {
    #balance = 5;
    get balance() { return count(this.#balance); }
  }
  const acct = new Account();
  Object.defineProperty(acct, 'own', { get: () => count(1), enumerable: true });
  const nested = { inner: { get deep() { return count(1); } }, list: big };
  return [obj, small, big, prox, acct, nested].length; // BP-GETTERS
}
