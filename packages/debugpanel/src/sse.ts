/**
 * Server-Sent Events hub. Each client's queue is the response's own write buffer: when a client
 * does not drain and its buffer grows past `maxBufferedBytes`, it is disconnected and counted, so a
 * stalled browser tab can never make the host process buffer without bound.
 */
import type { ServerResponse } from 'node:http';
import type { StreamEventName, StreamEvents, StreamHello, StreamStats } from '@debugpanel/model';

export interface SseOptions {
  /** Bytes a client may have unsent before it is dropped (default 1 MiB) */
  maxBufferedBytes?: number;
  /** Most concurrent clients (default 32); more get 503 */
  maxClients?: number;
  /** Heartbeat comment period (default 15 s) so proxies keep the connection open */
  heartbeatMs?: number;
}

// The counters are the `stream` section of `GET {path}/api/stats`: declared in @debugpanel/model.
export type SseStats = StreamStats;

export class SseHub {
  readonly #clients = new Set<ServerResponse>();
  readonly #maxBuffered: number;
  readonly #maxClients: number;
  readonly #heartbeatMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dropped = 0;
  #refused = 0;
  #sent = 0;

  constructor(o: SseOptions = {}) {
    this.#maxBuffered = o.maxBufferedBytes ?? 1024 * 1024;
    this.#maxClients = o.maxClients ?? 32;
    this.#heartbeatMs = o.heartbeatMs ?? 15_000;
  }

  /** Number of connected clients: publishers check it before serializing anything. */
  get size(): number {
    return this.#clients.size;
  }

  /** Takes over `res` as an event stream; false (and a 503 answer) when full. */
  attach(res: ServerResponse, hello?: StreamHello): boolean {
    if (this.#clients.size >= this.#maxClients) {
      this.#refused++;
      res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '5' });
      res.end(JSON.stringify({ error: `too many stream clients (at most ${this.#maxClients})` }));
      return false;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Nginx buffers proxied responses unless told not to
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    this.#clients.add(res);
    res.once('close', () => this.#remove(res));
    res.write(`retry: 3000\n\n`);
    if (hello !== undefined) this.#write(res, `event: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    this.#startHeartbeat();
    return true;
  }

  /** Sends one event to every client. `data` is serialized once; its type is the event's in `StreamEvents`. */
  publish<E extends StreamEventName>(event: E, data: StreamEvents[E]): void {
    if (this.#clients.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.#clients) this.#write(res, frame);
  }

  /**
   * Sends several events of one kind to every client in one write per client: the pipeline
   * publishes a drained batch's traces this way. Serialized once, nothing done without clients.
   */
  publishEach<E extends StreamEventName>(event: E, items: ReadonlyArray<StreamEvents[E]>): void {
    if (this.#clients.size === 0 || items.length === 0) return;
    let frames = '';
    for (let i = 0; i < items.length; i++) frames += `event: ${event}\ndata: ${JSON.stringify(items[i])}\n\n`;
    for (const res of this.#clients) this.#write(res, frames, items.length);
  }

  stats(): SseStats {
    return { clients: this.#clients.size, dropped: this.#dropped, refused: this.#refused, sent: this.#sent };
  }

  /** Ends every stream (panel shutdown). */
  close(): void {
    for (const res of this.#clients) res.end();
    this.#clients.clear();
    this.#stopHeartbeat();
  }

  #write(res: ServerResponse, frame: string, events = 1): void {
    if (res.destroyed || res.writableEnded) {
      this.#remove(res);
      return;
    }
    // writableLength counts what the socket has not taken yet: the client's backlog.
    if (res.writableLength + frame.length > this.#maxBuffered) {
      this.#dropped++;
      this.#remove(res);
      res.destroy();
      return;
    }
    res.write(frame);
    this.#sent += events;
  }

  #remove(res: ServerResponse): void {
    this.#clients.delete(res);
    if (this.#clients.size === 0) this.#stopHeartbeat();
  }

  #startHeartbeat(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      for (const res of this.#clients) {
        if (res.destroyed || res.writableEnded) this.#remove(res);
        else if (res.writableLength < this.#maxBuffered) res.write(': heartbeat\n\n');
      }
    }, this.#heartbeatMs);
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
