import { HttpError } from './service-kit.js';

/** A positive integer id from a path parameter, else 400. */
export function parseId(value: unknown, what = 'id'): number {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, `${what} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

export interface OrderLineInput {
  productId: number;
  quantity: number;
}

/** `[{ productId, quantity }]` with 1 to 20 lines and quantities 1 to 1000, else 400. */
export function parseLines(value: unknown): OrderLineInput[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
    throw new HttpError(400, 'items must be an array of 1 to 20 { productId, quantity } objects');
  }
  return value.map((item: unknown, i) => {
    const { productId, quantity } = (item ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(productId) || (productId as number) < 1) {
      throw new HttpError(400, `items[${i}].productId must be a positive integer`);
    }
    if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 1000) {
      throw new HttpError(400, `items[${i}].quantity must be an integer from 1 to 1000`);
    }
    return { productId: productId as number, quantity: quantity as number };
  });
}
