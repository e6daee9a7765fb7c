import { readFileSync } from "node:fs";

/** KeyForge's version, from its package.json (two folders up from src/infra and dist/infra alike). */
export const KEYFORGE_VERSION: string = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
).version;
