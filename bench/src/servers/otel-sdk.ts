/**
 * Contender: the OpenTelemetry SDK set up as its docs show: NodeTracerProvider, BatchSpanProcessor
 * into an in-memory exporter, HttpInstrumentation and ExpressInstrumentation.
 *
 * The instrumentations patch modules as they are `require`d, so they are registered first and
 * express is loaded afterwards through `createRequire` (a static ESM import would be evaluated
 * before the registration and stay unpatched). `info` reports how many spans were exported, so the
 * benchmark can check the patching really happened.
 *
 * InMemorySpanExporter keeps every span forever; a process serving a load test would run out of
 * memory, so this one is emptied whenever it holds 10,000 spans, as a user of it in a long-running
 * process would have to.
 */
import { createRequire } from 'node:module';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor, InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import type { Express } from 'express';
// app.js imports express only as a type, so loading it here does not load express.
import { addRoutes, serveApp } from './app.js';

const HOLD = 10_000;
let exported = 0;
const names = new Set<string>();

class BoundedInMemoryExporter extends InMemorySpanExporter {
  override export(spans: ReadableSpan[], done: Parameters<InMemorySpanExporter['export']>[1]): void {
    exported += spans.length;
    if (names.size < 20) for (const s of spans) names.add(s.name);
    if (this.getFinishedSpans().length >= HOLD) this.reset();
    super.export(spans, done);
  }
}

const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new BoundedInMemoryExporter())] });
provider.register();
registerInstrumentations({ instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()] });

const require = createRequire(import.meta.url);
const express = require('express') as () => Express;

const app = express();
addRoutes(app);
serveApp(app, () => ({ spansExported: exported, spanNames: [...names] }));
