import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runtimeImportsOf } from "../helpers/source-imports.ts";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const GATEWAY = join(SRC, "assets");

/** Modules that read or write files, or watch them. */
const FILE_SYSTEM = /^(?:node:)?fs(?:\/promises)?$|^(?:graceful-fs|fs-extra|chokidar)$/;

/**
 * The gateway's modules, the Valkey coordinator `keyforge assets` runs them on, and every module
 * of src/ they load, directly or not (a type-only import loads nothing).
 */
function gatewayModules(): string[] {
  const pending = [
    ...readdirSync(GATEWAY)
      .filter((name) => name.endsWith(".ts"))
      .map((name) => join(GATEWAY, name)),
    join(SRC, "infra", "coord", "valkey-coordinator.ts"),
  ];
  const seen = new Set<string>();
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeImportsOf(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".")) pending.push(resolve(dirname(file), specifier));
    }
  }
  return [...seen].sort();
}

describe("assets gateway stays off the disk", () => {
  it("imports no file-system module, nor does any src module it depends on", () => {
    const modules = gatewayModules();
    assert.ok(modules.some((f) => f.endsWith("assets-gateway.ts")));
    assert.ok(
      modules.some((f) => relative(SRC, f).startsWith("core")),
      "the walk follows imports down to core",
    );
    const offenders = modules.flatMap((file) =>
      runtimeImportsOf(readFileSync(file, "utf8"))
        .filter((specifier) => FILE_SYSTEM.test(specifier))
        .map((specifier) => `${relative(SRC, file)} imports ${specifier}`),
    );
    assert.deepEqual(offenders, []);
  });

  it("would catch a file-system import", () => {
    for (const specifier of ["fs", "node:fs", "fs/promises", "node:fs/promises", "chokidar"]) {
      assert.ok(FILE_SYSTEM.test(specifier), specifier);
    }
    assert.equal(FILE_SYSTEM.test("node:stream"), false);
    assert.equal(FILE_SYSTEM.test("fastify"), false);
  });

  it("follows what runs, not what only names a type", () => {
    const source = [
      'import type { A } from "./types.ts";',
      'import { b, type C } from "./values.ts";',
      'export type { D } from "./more-types.ts";',
      'import "./side-effect.ts";',
    ].join("\n");
    assert.deepEqual(runtimeImportsOf(source), ["./values.ts", "./side-effect.ts"]);
  });
});
