// Minimal declarations for the two untyped packages the benchmark uses (only what it calls).
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
  }
  interface Histogram {
    average: number;
    total: number;
    p50: number;
    p99: number;
  }
  interface Result {
    duration: number;
    requests: Histogram;
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}

declare module 'express-status-monitor' {
  import type { RequestHandler } from 'express';
  function statusMonitor(opts?: object): RequestHandler;
  export default statusMonitor;
}
