import { defineConfig } from 'vitest/config';

// Unit and integration tests across the workspace. They import sibling packages through their
// built dist/ (npm test builds first with turbo), exactly as a user would.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.{ts,tsx}',
      'apps/*/src/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/src/**/*.test.ts',
      'test-servers/src/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
