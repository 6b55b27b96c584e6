/**
 * The set-up most browser tests share: an app (usually `createE2eApp()`'s) listening on a free
 * loopback port, Chromium open on it and logged in to the panel; `close()` undoes all of it.
 *
 * @example
 * const made = createE2eApp({ panel: { chaos: true } });
 * const s = await startSession(made, pageErrors);
 * await s.page.goto(`${s.base}/_debug/#/chaos`);
 * await s.close();
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Page } from 'playwright-core';
import { login, openPage } from './browser.js';

export interface BrowserSession {
  base: string;
  page: Page;
  close: () => Promise<void>;
}

export async function startSession(
  made: { app: Express; close?: () => Promise<void> },
  pageErrors: string[],
  viewport = { width: 1400, height: 900 },
): Promise<BrowserSession> {
  const server = made.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { page, close: closeBrowser } = await openPage(viewport, pageErrors);
  await login(page, base);
  return {
    base,
    page,
    close: async () => {
      await closeBrowser();
      await made.close?.();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
