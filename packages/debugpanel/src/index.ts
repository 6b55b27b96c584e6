/**
 * debugpanel: an in-process debugging panel for Express apps.
 *
 * @example
 * import express from 'express';
 * import { debugPanel } from 'debugpanel';
 *
 * const app = express();
 * app.use(debugPanel());   // first middleware; open http://localhost:3000/_debug
 */
export { debugPanel } from './panel.js';
export { setUser } from './trace-attributes.js';
export type { UserContext } from './trace-attributes.js';
export type { DebugPanelHandle, DebugPanelMiddleware } from './panel.js';
export type { DebugPanelOptions, StoreOptions, ErrorsOptions, LogsOptions, ContextOptions, QueriesOptions, SqlOptions } from './options.js';
export type { ErrorRecorder, LoggedErrorContext } from './error-capture.js';
export { DebugPanelOptionsError } from './options.js';
export { debugPanelSpanProcessor } from '@debugpanel/tracing';
