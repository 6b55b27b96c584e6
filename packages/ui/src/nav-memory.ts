/** The trace list's last address, so "back to traces" (←, Esc) returns to the same filter. */
let lastList = '#/traces';

export function rememberList(hash: string): void {
  lastList = hash;
}

export function listHash(): string {
  return lastList;
}
