/**
 * The JSON contract between the panel's routes, its SSE stream and every client (the UI first):
 * one file per feature, each declaring its routes' request parameters, request bodies and response
 * bodies. Routes type what they send with these (`sendJson<TracesResponse>(...)`), the UI reads
 * them from here, and the route tests check real answers against them.
 *
 * A new feature adds `api/<feature>.ts` and one line below.
 */
export * from './errors.js';
export * from './traces.js';
export * from './services.js';
export * from './stream.js';
export * from './flame.js';
export * from './dependencies.js';
export * from './metrics.js';
export * from './sampling.js';
export * from './breakpoints.js';
export * from './profiles.js';
export * from './otlp.js';
export * from './chaos.js';
export * from './logs.js';
export * from './stats.js';
export * from './auth.js';
export * from './insights.js';
export * from './queries.js';
