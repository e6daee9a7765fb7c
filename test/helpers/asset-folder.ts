import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";

/** A few small shipped assets, one of each kind but corpora (the corpus is large). */
export const SMALL_ASSETS = [
  "boards/corne.json",
  "boards/ortho-3x10.json",
  "layouts/qwerty.json",
  "weights/balanced.json",
] as const;

/** A fresh temporary copy of some shipped assets, plus a README that is not an asset. */
export function assetFolder(paths: readonly string[] = SMALL_ASSETS): {
  readonly dir: string;
  write(path: string, content: string | Uint8Array): void;
  remove(path: string): void;
  close(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), "keyforge-assets-"));
  for (const path of paths) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(SYSTEM_DATA_DIR, path), join(dir, path));
  }
  mkdirSync(join(dir, "boards"), { recursive: true });
  writeFileSync(join(dir, "boards", "README.md"), "Not an asset: provenance notes.\n");
  return {
    dir,
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    },
    remove: (path) => rmSync(join(dir, path)),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
