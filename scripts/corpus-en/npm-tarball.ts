import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A package version whose tarball must hash to `integrity` (npm's `dist.integrity`, SRI form). */
export interface PinnedPackage {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
}

export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IntegrityError";
  }
}

export function specOf(pkg: PinnedPackage): string {
  return `${pkg.name}@${pkg.version}`;
}

/** The SRI string of some bytes with the same algorithm as `expected` (sha512 for npm). */
export function integrityOf(bytes: Uint8Array, expected: string): string {
  const algorithm = expected.slice(0, expected.indexOf("-"));
  if (!["sha256", "sha384", "sha512"].includes(algorithm)) {
    throw new IntegrityError(`unsupported integrity algorithm in ${JSON.stringify(expected)}`);
  }
  return `${algorithm}-${createHash(algorithm).update(bytes).digest("base64")}`;
}

/**
 * Downloads the package tarball with `npm pack` into `workDir`, refuses it unless it hashes to
 * the pinned integrity, and unpacks it with the system `tar`. Returns the unpacked package root.
 */
export async function fetchVerifiedPackage(pkg: PinnedPackage, workDir: string): Promise<string> {
  const spec = specOf(pkg);
  const { stdout } = await run(
    "npm",
    ["pack", spec, "--pack-destination", workDir, "--json", "--ignore-scripts"],
    { cwd: workDir, maxBuffer: 64 * 1024 * 1024 },
  );
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack ${spec} reported no tarball`);
  const tarball = join(workDir, packed.filename);
  const actual = integrityOf(await readFile(tarball), pkg.integrity);
  if (actual !== pkg.integrity) {
    throw new IntegrityError(
      `integrity check failed for ${spec}\n  pinned:   ${pkg.integrity}\n  tarball:  ${actual}\n` +
        "The registry served different bytes than the ones this corpus was built from. " +
        "Do not update the pin unless you have checked why the package changed.",
    );
  }
  const into = join(workDir, packed.filename.replace(/\.tgz$/, ""));
  await mkdir(into, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", into]);
  return join(into, "package");
}
