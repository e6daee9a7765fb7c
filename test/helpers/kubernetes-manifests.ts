import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { parseAllDocuments } from "yaml";
import { DEPLOY_DIR } from "./deploy.ts";

/** The Kubernetes API version whose schemas the kubernetes-models package holds. */
export const SCHEMA_KUBERNETES_VERSION = "1.36";

/** The renderings an operator applies: the base and each overlay. */
export const KUSTOMIZATIONS = [
  "base",
  "overlays/small",
  "overlays/ingress",
  "overlays/agents-daemonset",
] as const;
export type Kustomization = (typeof KUSTOMIZATIONS)[number];

/** A field of a rendered object: read by path. */
// biome-ignore lint/suspicious/noExplicitAny: a manifest is read by path, as an operator reads it
export type ManifestField = any;

/** One rendered object, read loosely: the tests look into it by path. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: ManifestField;
}

const MISSING_KUBECTL =
  "kubectl is not installed. These tests render deploy/kubernetes with `kubectl kustomize`: install kubectl (1.27 or later, whose kustomize reads `labels`), as CI does.";

/**
 * Renders every kustomization the way an operator does from a fresh clone: deploy/ copied
 * aside, `sh deploy/kubernetes/sync-files.sh`, then `kubectl kustomize`. Throws with kubectl's
 * message when a rendering fails.
 */
export function renderKustomizations(): Map<Kustomization, KubeObject[]> {
  const copy = join(mkdtempSync(join(tmpdir(), "keyforge-kubernetes-")), "deploy");
  cpSync(DEPLOY_DIR, copy, { recursive: true, filter: (path) => !path.includes("/base/files") });
  run("sh", [join(copy, "kubernetes", "sync-files.sh")]);
  return new Map(
    KUSTOMIZATIONS.map((name) => {
      const yaml = run("kubectl", ["kustomize", join(copy, "kubernetes", name)]);
      const objects = parseAllDocuments(yaml).map((document) => document.toJS() as KubeObject);
      return [name, objects];
    }),
  );
}

function run(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error && "code" in result.error && result.error.code === "ENOENT") {
    throw new Error(command === "kubectl" ? MISSING_KUBECTL : `${command} is not installed`);
  }
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** The kubernetes-models module of an object's kind: `apps/v1` + `Deployment`. */
function modelModule(object: KubeObject): string {
  return `kubernetes-models/${object.apiVersion}/${object.kind}`;
}

/**
 * Every way `objects` break the Kubernetes API schemas, as `<kind>/<name>: <problem>` lines;
 * empty when none does. Two checks, both from the kubernetes-models package:
 * - its validators (generated from the API's OpenAPI schemas): required fields, types,
 *   formats and enumerations;
 * - its TypeScript types, which the API server's strict field validation matches: the objects
 *   are type-checked as object literals, so a field the API does not have (a misspelt
 *   `readinesProbe`, silently dropped by a lenient server) is an error at any depth.
 */
export async function schemaProblems(objects: readonly KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  const label = (object: KubeObject) => `${object.kind}/${object.metadata?.name}`;
  for (const object of objects) {
    let model: { new (data: unknown): { validate(): void } };
    try {
      model = (await import(modelModule(object)))[object.kind];
    } catch {
      problems.push(`${label(object)}: ${object.apiVersion} ${object.kind} is not an API kind`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (error) {
      problems.push(`${label(object)}: ${(error as Error).message}`);
    }
  }
  for (const { index, message } of typeProblems(objects)) {
    problems.push(`${label(objects[index] as KubeObject)}: ${message}`);
  }
  return problems;
}

/** Type-checks each object as a literal of its kind's interface; the objects' problems. */
function typeProblems(objects: readonly KubeObject[]): { index: number; message: string }[] {
  // A module of its own, beside the tests, so kubernetes-models resolves as from a test file.
  const file = join(import.meta.dirname, "__rendered-manifests.ts");
  const imports = objects.map(
    (object, index) =>
      `import type { I${object.kind} as K${index} } from "${modelModule(object)}";`,
  );
  const declarations = objects.map(
    (object, index) => `export const object${index}: K${index} = ${JSON.stringify(object)};`,
  );
  // One line per object in each part, so a problem's line names its object.
  const source = [...imports, ...declarations].join("\n");
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const readSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, language)
      : readSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) {
      throw new Error(`the schema check itself failed: ${message}`);
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return { index: line < imports.length ? line : line - imports.length, message };
  });
}
