/** Contender: plain Express 5, no instrumentation. The baseline every ratio is taken against. */
import express from 'express';
import { addRoutes, serveApp } from './app.js';

const app = express();
addRoutes(app);
serveApp(app);
