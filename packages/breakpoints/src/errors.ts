/**
 * Error codes the server maps to HTTP statuses: BAD_INPUT -> 400, NOT_FOUND -> 404, LIMIT and
 * BUSY -> 409, UNAVAILABLE -> 503.
 */
export type DebugErrorCode = 'BAD_INPUT' | 'NOT_FOUND' | 'LIMIT' | 'BUSY' | 'UNAVAILABLE';

/** Thrown for requests the agent or profiler refuses; `code` says why. */
export class DebugPanelInspectorError extends Error {
  readonly code: DebugErrorCode;
  constructor(code: DebugErrorCode, message: string) {
    super(message);
    this.name = 'DebugPanelInspectorError';
    this.code = code;
  }
}
