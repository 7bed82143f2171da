/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// The component server serves dist/ at its root and embeds it in the desklit binary.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true, // public/.gitkeep keeps the folder in git
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: { host: "127.0.0.1", port: 3001, strictPort: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
