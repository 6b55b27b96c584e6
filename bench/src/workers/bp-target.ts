/**
 * Code the breakpoint rows set breakpoints on. Line numbers matter: the worker finds the marked
 * lines by their comments in the compiled file, so edits here cannot silently move a breakpoint.
 */
export function hot(i: number): number {
  const doubled = i * 2; // BP-HOT
  return doubled + 1;
}

export function unrelated(i: number): number {
  let x = i;
  for (let k = 0; k < 20; k++) x = (x * 31 + k) | 0;
  return x;
}
