import { defineConfig } from 'vitest/config';

// `npm run eval`: measurements of the insights engine, not unit tests (see shop.eval.ts).
export default defineConfig({ test: { include: ['packages/insights/eval/*.eval.ts'], testTimeout: 1_800_000 } });
