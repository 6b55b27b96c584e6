// Plain JavaScript fixture: breakpoints bind by URL, no source map.
export function greet(name) {
  const greeting = `hello ${name}`;
  return greeting;
}
