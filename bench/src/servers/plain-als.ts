/**
 * Contender for profiles only (`node bench/dist/profile.js plain-als /work 8`): plain Express 5 plus
 * the least any AsyncLocalStorage-based context propagation costs on Node 20: one
 * AsyncLocalStorage, entered per request with `run`, nothing else. Enabling it installs Node's
 * async_hooks promise hooks, so every promise and async resource of every request pays an init hook
 * (async ids, the store copied onto the resource) and a before/after pair; OTel's
 * AsyncLocalStorageContextManager (the SDK's and the panel's) pays exactly this. What the panel
 * adds over this contender is its own; what this adds over plain is the floor.
 */
import express from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { addRoutes, serveApp } from './app.js';

const app = express();
const als = new AsyncLocalStorage<object>();
app.use((req, _res, next) => {
  als.run(req, next);
});
addRoutes(app);
serveApp(app);
