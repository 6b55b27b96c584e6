// ESM fixture: compiled to .gen/esm-app.mjs with a source map by compile.ts.
export interface Order {
  id: string;
  items: number[];
  apiKey: string;
}

export const state = { calls: [] as number[] };

export function total(order: Order, discount: number): number {
  const sum = order.items.reduce((a, b) => a + b, 0);
  const password = 'hunter2';
  const result = sum - discount;
  return result + password.length * 0;
}

export function loopBody(i: number): number {
  const doubled = i * 2;
  return doubled;
}

export function hot(n: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x + i * i) % 1000003;
  return x;
}
