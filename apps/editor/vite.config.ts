import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The gateway serves dist/ at `/` with an SPA fallback and proxies nothing: API calls are same-origin.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 700 },
  server: {
    proxy: {
      '/api': process.env.AGENTRY_GATEWAY_URL ?? 'http://localhost:8080',
      '/ws': { target: process.env.AGENTRY_GATEWAY_URL ?? 'http://localhost:8080', ws: true },
    },
  },
});
