// Twelve breakable lines for limit tests.
export function many(a) {
  let x = a;
  x += 1;
  x += 2;
  x += 3;
  x += 4;
  x += 5;
  x += 6;
  x += 7;
  x += 8;
  x += 9;
  return x;
}
