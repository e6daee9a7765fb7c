/**
 * Writes the metric and preset tables of docs/metrics.md from the metric catalogue and the
 * shipped presets, so the page never drifts from the code (a test compares them).
 */
import { readFile, writeFile } from "node:fs/promises";
import { withGeneratedTables } from "./metric-table.ts";

const path = new URL("../docs/metrics.md", import.meta.url);
await writeFile(path, withGeneratedTables(await readFile(path, "utf8")));
console.log("wrote the metric and preset tables of docs/metrics.md");
