// Flood harness: default dev set-up (app.use(debugPanel())) or plain, /hello.
// GET /__mem -> memoryUsage (after gc with ?gc=1), /__snap -> writes a heap snapshot.
import express from 'express';
import v8 from 'node:v8';
const plain = process.env.PLAIN === '1';
const app = express();
let mw;
if (!plain) {
  const { debugPanel } = await import('debugpanel');
  mw = debugPanel(JSON.parse(process.env.OPTS ?? '{}'));
  app.use(mw);
}
app.get('/hello', (_req, res) => { res.json({ hello: 'world' }); });
app.get('/__mem', async (req, res) => {
  if (req.query.gc === '1' && globalThis.gc) for (let i = 0; i < 3; i++) globalThis.gc();
  const m = process.memoryUsage();
  const hs = v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, size: s.space_size, used: s.space_used_size, avail: s.space_available_size }));
  let stats;
  if (mw) {
    const r = await fetch(`http://127.0.0.1:${server.address().port}/_debug/api/stats`, { headers: { authorization: `Bearer ${process.env.DEBUGPANEL_TOKEN ?? ''}` } });
    stats = r.ok ? await r.json() : { status: r.status };
  }
  res.json({ mem: m, heap: v8.getHeapStatistics(), spaces: hs, stats });
});
app.get('/__snap', (req, res) => {
  const file = v8.writeHeapSnapshot(String(req.query.file ?? `/tmp/flood-${process.pid}.heapsnapshot`));
  res.json({ file });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, pid: process.pid }));
});
