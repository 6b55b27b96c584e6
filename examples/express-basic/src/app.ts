/**
 * The one-line set-up: `app.use(debugPanel())` as the first middleware. Every request below becomes
 * a trace; open http://localhost:3000/_debug to see them.
 */
import express, { type ErrorRequestHandler } from 'express';
import { trace } from '@opentelemetry/api';
import { debugPanel } from 'debugpanel';

export const app = express();
app.use(debugPanel());

const tracer = trace.getTracer('express-basic');

app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});

app.get('/users/:id', async (req, res) => {
  // A span of our own: it becomes a child of the request's server span.
  const user = await tracer.startActiveSpan('load user', async (span) => {
    span.setAttribute('user.id', req.params.id);
    await new Promise((r) => setTimeout(r, 5));
    span.end();
    return { id: req.params.id, name: `user ${req.params.id}` };
  });
  res.json(user);
});

// An outgoing call: it gets a client span and a traceparent header, so the /hello it calls on this
// same server joins the trace.
app.get('/chain', async (req, res) => {
  const port = req.socket.localPort;
  const r = await fetch(`http://127.0.0.1:${port}/hello`);
  res.json({ upstream: await r.json() });
});

// A route that throws: the panel records the exception on the request's span; the handler below
// still answers.
app.get('/boom', () => {
  throw new Error('boom: something broke');
});

const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => {
  res.status(500).json({ error: err.message });
};
app.use(onError);
