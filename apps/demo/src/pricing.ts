/**
 * Order pricing in the orders service, wrapped in a user span (`price.calculate`) made with the
 * plain OpenTelemetry API, as an app would. It carries a deliberate bug: a line whose product has
 * no price throws a TypeError (the seeded "Mystery box"), which the panel shows as an exception.
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Price } from './db/inventory.js';

const tracer = trace.getTracer('demo-orders');

export interface PricedLine {
  productId: number;
  quantity: number;
  price: Price | null;
}

export interface Quote {
  subtotalCents: number;
  discountCents: number;
  taxCents: number;
  totalCents: number;
}

/** 10% off a line of three or more. */
const BULK_QUANTITY = 3;
const BULK_DISCOUNT = 0.1;
const TAX_RATE = 0.08;

/**
 * Prices an order (or a single product, as one line of quantity 1).
 * @example quote('ada', [{ productId: 1, quantity: 2, price: { cents: 2490, currency: 'EUR' } }]).totalCents // 5378
 */
export function quote(customer: string, lines: ReadonlyArray<PricedLine>): Quote {
  return tracer.startActiveSpan('price.calculate', (span) => {
    try {
      span.setAttribute('price.lines', lines.length);
      span.setAttribute('enduser.id', customer);
      let subtotalCents = 0;
      let discountCents = 0;
      for (const line of lines) {
        // Deliberate bug: `price` is null for an unpriced product and this line throws.
        const lineCents = line.price!.cents * line.quantity;
        subtotalCents += lineCents;
        if (line.quantity >= BULK_QUANTITY) discountCents += Math.round(lineCents * BULK_DISCOUNT);
      }
      const taxCents = Math.round((subtotalCents - discountCents) * TAX_RATE);
      const result = { subtotalCents, discountCents, taxCents, totalCents: subtotalCents - discountCents + taxCents };
      span.setAttribute('price.total_cents', result.totalCents);
      return result;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
