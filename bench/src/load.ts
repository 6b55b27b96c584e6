/**
 * The load generator: a long-lived child process running autocannon, so the load never shares a
 * process (or a JIT, or an event loop) with the server it measures.
 */
import autocannon from 'autocannon';
import { serveIpc } from './ipc.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

serveIpc(async (msg) => {
  if (msg.type !== 'load') throw new Error(`unknown request ${String(msg.type)}`);
  const result = await autocannon({
    url: String(msg.url),
    connections: Number(msg.connections),
    duration: Number(msg.seconds),
    pipelining: 1,
  });
  const seconds = result.duration > 0 ? result.duration : Number(msg.seconds);
  const out: LoadResult = {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  return out;
});
