import { defineConfig } from "vite";

/**
 * The web app's build: one page, its scripts and workers, written to dist/web where the hive,
 * `keyforge up` and the gateway's static host serve it. Relative asset URLs let it live under
 * any path.
 */
export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  base: "./",
  build: {
    outDir: new URL("../dist/web", import.meta.url).pathname,
    emptyOutDir: true,
    target: "es2022",
    assetsDir: "static",
    reportCompressedSize: false,
  },
  worker: { format: "es" },
});
