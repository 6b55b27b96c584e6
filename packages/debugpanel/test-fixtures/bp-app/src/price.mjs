export function price(qty, unit, req) {
  const total = qty * unit;
  const customer = { name: 'ada', apiKey: 'k-secret-123456', tier: 'gold' };
  return total + (customer.tier === 'gold' ? 0 : 1) + (req ? 0 : 0);
}
