/**
 * Child side of the IPC protocol in child.ts: announce readiness, answer requests by id.
 * The child exits when its parent goes away, so a crashed benchmark leaves no servers behind.
 */
export type Handler = (msg: Record<string, unknown>) => unknown | Promise<unknown>;

export function serveIpc(handler: Handler, ready: Record<string, unknown> = {}): void {
  if (!process.send) throw new Error('this script is started by bench/dist/run.js (it needs an IPC channel)');
  process.on('message', (m: unknown) => {
    const msg = m as Record<string, unknown> & { id: number };
    Promise.resolve()
      .then(() => handler(msg))
      .then(
        (value) => process.send?.({ type: 'reply', id: msg.id, ok: true, value }),
        (err: unknown) => process.send?.({ type: 'reply', id: msg.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  process.send({ type: 'ready', ...ready });
}
