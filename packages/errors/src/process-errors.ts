/**
 * Sees the process's uncaught exceptions and unhandled rejections without changing what Node does
 * with them (crash, warning, exit code).
 *
 * - `uncaughtExceptionMonitor` is Node's listener for exactly this: it runs before the default
 *   handler (print and exit 1) or the app's `uncaughtException` listeners, and changes nothing.
 *   Under the default `--unhandled-rejections=throw`, an unhandled rejection with no
 *   `unhandledRejection` listener is raised as an uncaught exception, so the monitor sees it too
 *   (origin `unhandledRejection`).
 * - An `unhandledRejection` listener is not neutral: under `throw` (the default) and
 *   `warn-with-error-code`, merely having one makes Node treat the rejection as handled (no crash,
 *   no exit code). So ours is attached only while the app has one of its own (then the rejection
 *   is handled anyway and the monitor would not see it), always under `warn` and `none`, where
 *   Node does the same whether a listener exists or not, and never under `strict` (raised as an
 *   uncaught exception first, which the monitor sees).
 */

export type ProcessErrorSource = 'uncaught' | 'rejection';

const NEUTRAL_MODES = new Set(['warn', 'none']);

/** The `--unhandled-rejections` mode from the process's flags or NODE_OPTIONS (default `throw`). */
export function unhandledRejectionsMode(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string {
  let mode = 'throw';
  const flags = [...nodeOptions.split(/\s+/), ...execArgv]; // the command line wins over NODE_OPTIONS
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    if (f.startsWith('--unhandled-rejections=')) mode = f.slice('--unhandled-rejections='.length);
    else if (f === '--unhandled-rejections' && flags[i + 1]) mode = flags[++i]!;
  }
  return mode;
}

/**
 * Calls `onError` for every uncaught exception and unhandled rejection the process sees; returns
 * a function that stops watching. `onError` runs synchronously (the process may be about to
 * exit) and anything it throws is swallowed.
 *
 * @example
 * const stop = watchProcessErrors((err, source) => groups.record(fromError(err), { source, service }));
 */
export function watchProcessErrors(onError: (error: unknown, source: ProcessErrorSource) => void, proc: NodeJS.Process = process): () => void {
  const call = (error: unknown, source: ProcessErrorSource) => {
    try {
      onError(error, source);
    } catch {
      // Never make a crash worse, or change its message.
    }
  };
  const monitor = (error: unknown, origin: string) => call(error, origin === 'unhandledRejection' ? 'rejection' : 'uncaught');
  const rejection = (reason: unknown) => call(reason, 'rejection');
  proc.on('uncaughtExceptionMonitor', monitor);

  const mode = unhandledRejectionsMode(proc.execArgv);
  // strict: raised as an uncaught exception first (the monitor sees it), so never listen too.
  const always = NEUTRAL_MODES.has(mode);
  const never = mode === 'strict';
  const ours = () => proc.listeners('unhandledRejection').includes(rejection);
  const others = () => proc.listeners('unhandledRejection').filter((l) => l !== rejection).length;
  const sync = (adding = 0) => {
    const want = !never && (always || others() + adding > 0);
    if (want && !ours()) proc.on('unhandledRejection', rejection);
    else if (!want && ours()) proc.removeListener('unhandledRejection', rejection);
  };
  // `newListener` fires before the app's listener is added (count it in), `removeListener` after
  // it is gone: ours follows, so whether a rejection is "handled" is the app's decision alone.
  const onNew = (event: string | symbol, listener: unknown) => {
    if (event === 'unhandledRejection' && listener !== rejection) sync(1);
  };
  const onRemove = (event: string | symbol, listener: unknown) => {
    if (event === 'unhandledRejection' && listener !== rejection) sync();
  };
  proc.on('newListener', onNew);
  proc.on('removeListener', onRemove);
  sync();
  return () => {
    proc.removeListener('uncaughtExceptionMonitor', monitor);
    proc.removeListener('newListener', onNew);
    proc.removeListener('removeListener', onRemove);
    proc.removeListener('unhandledRejection', rejection);
  };
}
