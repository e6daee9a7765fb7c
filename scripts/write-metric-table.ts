/**
 * Writes the metric table of docs/metrics.md from the metric catalogue, so the page never
 * drifts from the code (a test compares them).
 */
import { readFile, writeFile } from "node:fs/promises";
import { withMetricTable } from "./metric-table.ts";

const path = new URL("../docs/metrics.md", import.meta.url);
await writeFile(path, withMetricTable(await readFile(path, "utf8")));
console.log("wrote the metric table of docs/metrics.md");
