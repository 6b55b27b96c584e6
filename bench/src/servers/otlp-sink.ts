/**
 * Where the `sendTo` contender sends its spans: a bare OTLP/HTTP endpoint that reads each body
 * and answers 200 with an empty ExportTraceServiceResponse (valid in both encodings), so the row
 * measures the sending side only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveIpc } from '../ipc.js';

let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  req.on('data', (d: Buffer) => (bytes += d.length));
  req.on('end', () => {
    requests++;
    const json = String(req.headers['content-type'] ?? '').includes('json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
  });
});
server.listen(0, '127.0.0.1', () => {
  serveIpc(() => ({ requests, bytes, rss: process.memoryUsage().rss }), { port: (server.address() as AddressInfo).port });
});
