import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// base './': the panel is mounted under a user-chosen path (default /_debug), so every asset URL
// must be relative to index.html. No inline scripts: the server sends a strict CSP.
export default defineConfig({
  base: './',
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    // `DEBUGPANEL_DEV_TARGET=http://localhost:4100 npx vite` proxies the API to a running panel.
    proxy: process.env.DEBUGPANEL_DEV_TARGET
      ? { '/_debug/api': { target: process.env.DEBUGPANEL_DEV_TARGET, changeOrigin: true } }
      : undefined,
  },
});
