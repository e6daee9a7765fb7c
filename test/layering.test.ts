import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { importsOf } from "./helpers/source-imports.ts";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const WEB = fileURLToPath(new URL("../web/src/", import.meta.url));
/**
 * Packages the web app may use (uPlot with its stylesheet, and zod only to switch off its eval
 * probe, web/src/no-eval.ts); everything else it takes from src/core and src/protocol.
 */
const WEB_PACKAGES = new Set([
  "preact",
  "preact/hooks",
  "uplot",
  "uplot/dist/uPlot.min.css",
  "zod",
]);

/** Layers from the bottom up; a file may import only from its own layer or a lower one. */
const LAYERS = ["core", "protocol", "infra", "process", "cli"] as const;
const PROCESS_FOLDERS = new Set(["hive", "agent", "assets", "assetmgr"]);

function layerOf(path: string): { layer: (typeof LAYERS)[number]; folder: string } {
  const folder = relative(SRC, path).split(/[\\/]/)[0] ?? "";
  if (PROCESS_FOLDERS.has(folder)) return { layer: "process", folder };
  if ((LAYERS as readonly string[]).includes(folder))
    return { layer: folder as (typeof LAYERS)[number], folder };
  throw new Error(`src/${folder} is not a known layer; add it to ARCHITECTURE.md and this test`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : /\.tsx?$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Why an import breaks the dependency rule, or null when it is allowed. */
export function layeringViolation(file: string, specifier: string): string | null {
  const from = layerOf(file);
  if (from.layer === "core" || from.layer === "protocol") {
    if (specifier.startsWith("node:"))
      return `${from.layer} must not import ${specifier} (it runs in the browser)`;
  }
  if (!specifier.startsWith(".")) return null;
  const target = layerOf(join(file, "..", specifier));
  if (LAYERS.indexOf(target.layer) > LAYERS.indexOf(from.layer)) {
    return `${from.layer} must not import from the higher layer ${target.folder}`;
  }
  if (from.layer === "process" && target.layer === "process" && target.folder !== from.folder) {
    return `process folder ${from.folder} must not import from process folder ${target.folder}`;
  }
  return null;
}

/** Why an import of the web app breaks its rule (src/core and src/protocol only), or null. */
export function webLayeringViolation(file: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) {
    return WEB_PACKAGES.has(specifier) ? null : `the web app must not import ${specifier}`;
  }
  const target = join(file, "..", specifier);
  if (!relative(WEB, target).startsWith("..")) return null;
  const layer = relative(SRC, target).split(/[\\/]/)[0];
  if (relative(SRC, target).startsWith("..") || (layer !== "core" && layer !== "protocol")) {
    return "the web app imports only src/core and src/protocol";
  }
  return null;
}

describe("layering", () => {
  it("keeps every import of src pointing down the layer list", () => {
    const violations = sourceFiles(SRC).flatMap((file) =>
      importsOf(readFileSync(file, "utf8")).flatMap((specifier) => {
        const why = layeringViolation(file, specifier);
        return why ? [`${relative(SRC, file)}: ${specifier}: ${why}`] : [];
      }),
    );
    assert.deepEqual(violations, []);
  });

  it("keeps the web app's imports to src/core, src/protocol and its own packages", () => {
    const violations = sourceFiles(WEB).flatMap((file) =>
      importsOf(readFileSync(file, "utf8")).flatMap((specifier) => {
        const why = webLayeringViolation(file, specifier);
        return why ? [`web/src/${relative(WEB, file)}: ${specifier}: ${why}`] : [];
      }),
    );
    assert.deepEqual(violations, []);
    const page = join(WEB, "pages", "analyse-page.tsx");
    assert.equal(webLayeringViolation(page, "../../../src/core/layout.ts"), null);
    assert.match(webLayeringViolation(page, "../../../src/infra/system-data.ts") ?? "", /only/);
    assert.match(webLayeringViolation(page, "node:fs") ?? "", /must not import node:fs/);
    assert.match(webLayeringViolation(page, "../../../test/x.ts") ?? "", /only/);
  });

  it("catches a node: import or an upward import in core and protocol", () => {
    const core = join(SRC, "core", "board.ts");
    const protocol = join(SRC, "protocol", "messages.ts");
    assert.match(layeringViolation(core, "node:fs") ?? "", /core must not import node:fs/);
    assert.match(layeringViolation(protocol, "node:crypto") ?? "", /protocol must not import/);
    assert.match(layeringViolation(core, "../infra/data-files.ts") ?? "", /higher layer infra/);
    assert.match(layeringViolation(core, "../protocol/messages.ts") ?? "", /higher layer protocol/);
    assert.match(layeringViolation(protocol, "../cli/main.ts") ?? "", /higher layer cli/);
    assert.match(
      layeringViolation(join(SRC, "hive", "x.ts"), "../agent/y.ts") ?? "",
      /process folder hive/,
    );
    assert.equal(layeringViolation(protocol, "../core/board.ts"), null);
    assert.equal(layeringViolation(join(SRC, "cli", "main.ts"), "../infra/system-data.ts"), null);
  });

  it("finds every kind of import in source text", () => {
    const text = `import a from "node:fs";\nimport { b } from '../x.ts';\nexport * from "./y.ts";\nconst c = await import("../z.ts");\nimport "./side.ts";`;
    assert.deepEqual(importsOf(text), ["node:fs", "../x.ts", "./y.ts", "../z.ts", "./side.ts"]);
  });
});
