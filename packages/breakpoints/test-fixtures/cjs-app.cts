// CommonJS fixture: compiled to .gen/cjs-app.cjs with a source map by compile.ts.
type Cart = { owner: string; lines: Array<{ sku: string; qty: number }> };

function countItems(cart: Cart): number {
  let n = 0;
  for (const line of cart.lines) {
    n += line.qty;
  }
  const label = `${cart.owner}:${n}`;
  return label.length > 0 ? n : 0;
}

module.exports = { countItems };
