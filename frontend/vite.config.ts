import { defineConfig } from 'vitest/config';

export default defineConfig({
  build: {
    target: 'es2021', // WebKitGTK 2.38+ (Debian 12), WebView2 and Safari 14+
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
  },
  server: { port: 5173, strictPort: true },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
});
