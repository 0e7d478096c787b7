import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The dashboard builds to static files in dist/, served by the server at /dashboard/. The SDK is
 * the client package's self-contained browser bundle (built before this), bundled in as a chunk
 * of its own that only the "Try it" view loads; nothing is loaded from anywhere else.
 */
export default defineConfig({
  base: "/dashboard/",
  resolve: {
    alias: {
      "switchboard-sdk": fileURLToPath(new URL("../client/dist/browser.js", import.meta.url)),
    },
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
});
