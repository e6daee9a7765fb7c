import { readFileSync } from "node:fs";
import { defineConfig } from "vite";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

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
  // The release the installable exports name (keyforge-version.ts).
  define: { __KEYFORGE_VERSION__: JSON.stringify(version) },
});
