/** The code the breakpoints e2e test stops in: a TypeScript handler whose locals it checks. */
export interface QuoteLine {
  sku: string;
  qty: number;
  unit: number;
}

export interface Quote {
  customer: string;
  items: number;
  subtotal: number;
  discount: number;
  total: number;
}

export function quote(customer: string, lines: QuoteLine[]): Quote {
  const subtotal = lines.reduce((sum, l) => sum + l.qty * l.unit, 0);
  const discount = subtotal > 100 ? 0.1 : 0;
  const total = Math.round(subtotal * (1 - discount) * 100) / 100;
  return { customer, items: lines.length, subtotal, discount, total };
}
