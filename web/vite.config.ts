import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console's bundle: `npm run build:web` writes web/dist, which `dialer serve` serves at `/`.
 * `npm run dev:web` serves the sources with hot reload and passes /api to a `dialer serve`
 * on 127.0.0.1:8080.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  // No public/ folder: every file is a hashed asset under /assets/ (dialer serve caches them for good).
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline script: the console's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
