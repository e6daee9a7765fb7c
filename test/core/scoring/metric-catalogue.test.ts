import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { metricTable, withGeneratedTables } from "../../../scripts/metric-table.ts";
import {
  HEADLINE_METRICS,
  METRIC_FAMILIES,
  METRIC_KEYS,
  METRICS,
  WEIGHTED_TERMS,
  WORST_LISTS,
} from "../../../src/core/scoring/metric-catalogue.ts";
import { analysisDocumentSchema } from "../../../src/protocol/analysis-document.ts";
import { metricsSchema } from "../../../src/protocol/metrics-schema.ts";

describe("metric catalogue", () => {
  it("states every metric once, family by family, in report order", () => {
    assert.equal(new Set(METRIC_KEYS).size, METRIC_KEYS.length, "keys are unique");
    assert.deepEqual(
      METRIC_KEYS,
      METRIC_FAMILIES.flatMap((family) => family.metrics.map((metric) => metric.key)),
    );
    for (const metric of METRICS) {
      assert.match(metric.key, /^[a-z][A-Za-z]*$/, "a key is a camelCase name");
      assert.ok(metric.doc.endsWith("."), `${metric.key}: its doc is a sentence`);
      if (metric.unit === "%") assert.equal("max" in metric && metric.max, 100, metric.key);
    }
  });

  it("weighs every metric but those a score cannot use", () => {
    assert.deepEqual(
      METRIC_KEYS.filter((key) => !(WEIGHTED_TERMS as readonly string[]).includes(key)),
      ["coverage"],
    );
  });

  it("gives the protocol's schemas one field per metric and one worst list per list id", () => {
    assert.deepEqual(Object.keys(metricsSchema.shape), METRIC_KEYS);
    assert.deepEqual(
      Object.keys(analysisDocumentSchema.shape.top.shape),
      WORST_LISTS.map((list) => list.id),
    );
    assert.deepEqual(
      WORST_LISTS.map((list) => list.id),
      ["sfb", "sfs", "lsb", "scissors", "redirect", "badRedirect"],
    );
    assert.ok(HEADLINE_METRICS.every(({ headline }) => headline.length > 0));
  });

  it("matches the tables of docs/metrics.md (run npm run metric-table after a change)", () => {
    const page = readFileSync(new URL("../../../docs/metrics.md", import.meta.url), "utf8");
    assert.ok(page.includes(metricTable()), "the generated table is on the page");
    assert.equal(withGeneratedTables(page), page);
  });
});
