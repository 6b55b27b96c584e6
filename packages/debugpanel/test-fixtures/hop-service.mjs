// One service of the distributed test: GET /hop answers, after calling NEXT_URL (if set) with
// fetch (CALL=fetch) or node:http (CALL=http). Imports the BUILT package, as a user would.
// Reports its port to the parent over IPC and exits when the parent goes away.
import http from 'node:http';
import express from 'express';
import { debugPanel } from 'debugpanel';

const service = process.env.SERVICE ?? 'svc';
const next = process.env.NEXT_URL;
const call = process.env.CALL ?? 'fetch';

function httpGet(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

const app = express();
// HUB=1 receives OTLP from the others; SEND_TO=<hub panel URL> sends this service's spans there.
// HEAD=<0..1> sets the head sampling ratio.
app.use(
  debugPanel({
    service,
    // Token-less loopback access, opted into explicitly; nothing written to disk.
    auth: 'loopback',
    dataDir: false,
    hub: process.env.HUB === '1',
    // with TOKEN, the hub needs it too: the same token on the sendTo connection
    sendTo: process.env.SEND_TO ? { url: process.env.SEND_TO, headers: process.env.TOKEN ? { authorization: `Bearer ${process.env.TOKEN}` } : {} } : undefined,
    sampling: process.env.HEAD ? { head: Number(process.env.HEAD) } : undefined,
    // CHAOS=1: fault rules on (PULL_MS: how often a sendTo service pulls the hub's); TOKEN: the panel's token
    chaos: process.env.CHAOS === '1' ? (process.env.PULL_MS ? { pullMs: Number(process.env.PULL_MS) } : true) : undefined,
    token: process.env.TOKEN || undefined,
  }),
);
app.get('/hop', async (req, res) => {
  // The last hop reports the traceparent it received, so tests can check the sampled flag.
  if (!next) return res.json({ path: [service], leafTraceparent: req.headers.traceparent ?? null });
  const downstream = call === 'http' ? await httpGet(`${next}/hop`) : await (await fetch(`${next}/hop`)).json();
  res.json({ path: [service, ...downstream.path], leafTraceparent: downstream.leafTraceparent });
});

const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
