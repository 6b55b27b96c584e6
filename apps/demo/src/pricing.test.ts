import { describe, expect, it } from 'vitest';
import { quote } from './pricing.js';

const eur = (cents: number) => ({ cents, currency: 'EUR' as const });

describe('quote', () => {
  it('adds 8% tax to the subtotal', () => {
    expect(quote('ada', [{ productId: 1, quantity: 2, price: eur(2490) }])).toEqual({
      subtotalCents: 4980,
      discountCents: 0,
      taxCents: 398,
      totalCents: 5378,
    });
  });

  it('takes 10% off a line of three or more before tax', () => {
    const q = quote('ada', [
      { productId: 1, quantity: 3, price: eur(1000) },
      { productId: 2, quantity: 1, price: eur(500) },
    ]);
    expect(q).toEqual({ subtotalCents: 3500, discountCents: 300, taxCents: 256, totalCents: 3456 });
  });

  it('throws a TypeError for a product without a price (the deliberate bug)', () => {
    expect(() => quote('ada', [{ productId: 13, quantity: 1, price: null }])).toThrow(TypeError);
  });
});
