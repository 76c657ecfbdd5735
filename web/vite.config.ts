import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the gateway itself at /hub/ (see src/control-plane/routes/get-hub.ts).
// `npm run dev:web` proxies the API to a gateway on :8080 for hot reload while editing.
export default defineConfig({
  root: import.meta.dirname,
  base: '/hub/',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: Object.fromEntries(
      ['/hub/graphql', '/capig/graphql', '/capig/uploads', '/auth'].map((p) => [p, 'http://127.0.0.1:8080']),
    ),
  },
});
