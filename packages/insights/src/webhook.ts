/**
 * Alert delivery to a webhook: a bounded queue sent one request at a time with retries and
 * backoff, on unref'd timers, so a slow or dead receiver never blocks the app nor grows memory.
 * Off-box delivery is opt-in: nothing is sent unless `alerts: { webhook }` is configured.
 */
import { RingBuffer, type AlertNotification, type WebhookStats } from '@debugpanel/model';
import { scopeName } from './detector.js';

export interface WebhookOptions {
  url: string;
  /** `json` (the `AlertNotification` as is, default) or `slack` (`{ text, blocks }`, for Slack incoming webhooks) */
  format?: 'json' | 'slack';
  /** notifications waiting at most (default 100); beyond, the oldest is dropped and counted */
  maxQueue?: number;
  /** attempts per notification (default 4), backoff 1 s, 2 s, 4 s ... */
  attempts?: number;
  backoffMs?: number;
  /** per request, ms (default 5000) */
  timeoutMs?: number;
  /** extra request headers */
  headers?: Record<string, string>;
  /** the fetch to use (tests, proxies); default the global one */
  fetch?: typeof fetch;
}

/** The Slack-compatible body of a notification: a `text` fallback and one section block. */
export function slackBody(n: AlertNotification): { text: string; blocks: unknown[] } {
  const i = n.incident;
  const icon = n.status === 'resolved' ? ':white_check_mark:' : i.severity === 'critical' ? ':rotating_light:' : ':warning:';
  const text = `${icon} [${n.status.toUpperCase()}] ${n.service}: ${i.title}`;
  const lines = i.suspects.slice(0, 3).map((s, k) => `${k + 1}. ${s.evidence.sentence}`);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*\n${scopeName(i.scope)} since ${new Date(i.startedAt).toISOString()}` } },
      ...(lines.length ? [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }] : []),
    ],
  };
}

/**
 * Sends alert notifications to a webhook without ever blocking the caller.
 *
 * @example
 * const hook = new WebhookQueue({ url: 'https://hooks.slack.com/services/...', format: 'slack' });
 * engineOptions.onAlert = (n) => hook.push(n);
 */
export class WebhookQueue {
  private readonly queue: RingBuffer<{ n: AlertNotification; attempt: number }>;
  private readonly o: Required<Omit<WebhookOptions, 'headers' | 'fetch'>> & { headers: Record<string, string>; fetch: typeof fetch };
  private busy = false;
  private current: { n: AlertNotification; attempt: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private s = { sent: 0, failed: 0, retries: 0, lastError: undefined as string | undefined };

  constructor(options: WebhookOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError(`alerts.webhook "${options.url}" is not a URL; expected e.g. "https://hooks.slack.com/services/..."`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`alerts.webhook must be an http: or https: URL, got "${options.url}"`);
    this.o = {
      url: url.href,
      format: options.format ?? 'json',
      maxQueue: options.maxQueue ?? 100,
      attempts: options.attempts ?? 4,
      backoffMs: options.backoffMs ?? 1000,
      timeoutMs: options.timeoutMs ?? 5000,
      headers: { ...options.headers },
      fetch: options.fetch ?? fetch,
    };
    this.queue = new RingBuffer(this.o.maxQueue);
  }

  push(n: AlertNotification): void {
    if (this.closed) return;
    this.queue.push({ n, attempt: 0 });
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.timer || this.closed) return;
    // a notification being retried goes first; it is held outside the queue, so it cannot be evicted
    const item = this.current ?? this.queue.shift();
    if (!item) return;
    this.current = item;
    this.busy = true;
    const body = this.o.format === 'slack' ? slackBody(item.n) : item.n;
    this.o
      .fetch(this.o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.o.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.s.sent++;
        this.current = undefined;
      })
      .catch((err: unknown) => {
        this.s.lastError = err instanceof Error ? err.message : String(err);
        item.attempt++;
        if (item.attempt >= this.o.attempts || this.closed) {
          this.s.failed++;
          this.current = undefined;
          return;
        }
        this.s.retries++;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, this.o.backoffMs * 2 ** (item.attempt - 1));
        this.timer.unref();
      })
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  /** Waits until the queue is empty or `ms` passed (tests, shutdown). */
  async drain(ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while ((this.queue.size > 0 || this.busy || this.current) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  stats(): WebhookStats {
    return {
      url: this.o.url.replace(/\/\/[^/@]*@/, '//***@').replace(/(hooks\.slack\.com\/services\/)[^?]*/, '$1***'),
      queued: this.queue.size + (this.current ? 1 : 0),
      sent: this.s.sent,
      dropped: this.queue.dropped,
      failed: this.s.failed,
      retries: this.s.retries,
      ...(this.s.lastError !== undefined ? { lastError: this.s.lastError } : {}),
    };
  }
}
