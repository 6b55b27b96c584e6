#!/usr/bin/env node
/**
 * Generates the OTLP protobuf module of @debugpanel/tracing from the vendored
 * opentelemetry-proto schema (proto/): static encode/decode code (pbjs) and its types (pbts),
 * for the trace and logs collector services. Run by `npm run build` before tsc:
 *   src/otlp/generated/otlp-proto.js, .d.ts  (gitignored; tsc and the unit tests read them)
 *   dist/otlp/generated/otlp-proto.js        (what the built package loads)
 * Skipped when the outputs are newer than every input.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(pkg, 'proto');
const srcOut = join(pkg, 'src/otlp/generated');
const distOut = join(pkg, 'dist/otlp/generated');
const js = join(srcOut, 'otlp-proto.js');
const dts = join(srcOut, 'otlp-proto.d.ts');
const wrapper = join(pkg, 'scripts/otlp-proto-wrapper.js');
/** The services whose messages the panel reads and writes; their imports come along. */
const ENTRIES = ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto'];

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}
const mtime = (f) => {
  try {
    return statSync(f).mtimeMs;
  } catch {
    return -1;
  }
};

const inputs = [...files(protoDir), wrapper, fileURLToPath(import.meta.url)];
const newestInput = Math.max(...inputs.map(mtime));
if (Math.min(mtime(js), mtime(dts)) < newestInput) {
  const require = createRequire(import.meta.url);
  const cli = dirname(require.resolve('protobufjs-cli/package.json'));
  mkdirSync(srcOut, { recursive: true });
  const run = (bin, args) => execFileSync(process.execPath, [join(cli, 'bin', bin), ...args], { stdio: 'inherit' });
  // --root: our own protobuf.roots entry, so another generated OTLP module in the process (an
  // exporter's) cannot overwrite these types or be overwritten by them.
  run('pbjs', [
    '--target', 'static-module', '--wrap', wrapper, '--root', 'debugpanel_otlp', '--path', protoDir,
    '--no-service', '--no-verify', '--no-delimited', '--no-typeurl', '--out', js, ...ENTRIES.map((e) => join(protoDir, e)),
  ]);
  run('pbts', ['--out', dts, js]);
}
mkdirSync(distOut, { recursive: true });
copyFileSync(js, join(distOut, 'otlp-proto.js'));
