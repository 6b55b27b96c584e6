/** Contender: express-status-monitor, the metrics page users often add instead of tracing. */
import express from 'express';
import statusMonitor from 'express-status-monitor';
import { addRoutes, serveApp } from './app.js';

const app = express();
app.use(statusMonitor());
addRoutes(app);
serveApp(app);
