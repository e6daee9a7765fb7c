import { randomBytes } from "node:crypto";
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join, resolve } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { fileSystemReason } from "./data-files.ts";
import type { WebAppConfig } from "./web-app.ts";

/*
 * A web root for a static file server (the gateway's keyforge.<domain> host), laid out so that
 * an update is one atomic step:
 *
 *   <root>/current -> releases/<name>    what the server serves (its document root)
 *   <root>/releases/<name>/              the built app and its config.json
 *
 * A new release is written in full beside the one being served, then `current` is replaced by
 * a rename: the server sees the old tree or the new one, never a mix. The release served before
 * stays, so a request that resolved it just before the switch still finds its file; older ones
 * are removed.
 */

/** The link to the release being served: the server's document root. */
export const CURRENT_RELEASE = "current";
const RELEASES = "releases";
/** The new link, made here and then renamed over `current`. */
const NEXT_RELEASE = "current.next";
const OWN_ENTRIES: ReadonlySet<string> = new Set([CURRENT_RELEASE, NEXT_RELEASE, RELEASES]);

/** The server reads the files as a user of its own: every file and folder is readable by all. */
const FILE_MODE = 0o644;
const FOLDER_MODE = 0o755;

export interface WebRootRelease {
  /** The web root, absolute. */
  readonly root: string;
  /** The release now served, relative to the root (`releases/<name>`). */
  readonly release: string;
}

/**
 * Writes the built web app (`build`, as `npm run build` leaves it in dist/web) and a config.json
 * holding `config` into `root` as a new release, then serves it. `root` is made when missing;
 * a folder holding anything but an earlier release is refused rather than cleared.
 */
export async function writeWebRoot(options: {
  readonly build: string;
  readonly root: string;
  readonly config: WebAppConfig;
}): Promise<WebRootRelease> {
  const root = resolve(options.root);
  await assertBuilt(options.build);
  return writingTo(root, async () => {
    await claimRoot(root);
    const served = await servedRelease(root);
    const release = join(RELEASES, releaseName());
    await copyReadable(options.build, join(root, release));
    await writeReadable(
      join(root, release, "config.json"),
      `${JSON.stringify(options.config, null, 2)}\n`,
    );
    await switchTo(root, release);
    await removeReleasesBut(root, [release, served]);
    return { root, release };
  });
}

async function assertBuilt(build: string): Promise<void> {
  const page = await stat(join(build, "index.html")).catch(() => undefined);
  if (!page?.isFile()) {
    throw new KeyForgeError(
      "WEB_APP_NOT_BUILT",
      `the web app is not built at ${build}: run npm run build`,
    );
  }
}

/** File-system failures while writing `root`, as one clear error naming it. */
async function writingTo<T>(root: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof KeyForgeError) throw error;
    const reason = fileSystemReason(error as NodeJS.ErrnoException, root);
    throw new KeyForgeError("FILE_UNWRITABLE", `cannot write the web root ${root}: ${reason}`);
  }
}

/** Makes `root` (readable by all) if missing; refuses it when it holds anything this module did not write there. */
async function claimRoot(root: string): Promise<void> {
  const existing = await stat(root).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new KeyForgeError("FILE_UNWRITABLE", `cannot write the web root ${root}: not a folder`);
  }
  if (!existing) {
    await mkdir(root, { recursive: true });
    await chmod(root, FOLDER_MODE);
  }
  const entries = await readdir(root, { withFileTypes: true });
  const foreign = entries.filter(
    (entry) =>
      !OWN_ENTRIES.has(entry.name) ||
      (entry.name === RELEASES ? !entry.isDirectory() : !entry.isSymbolicLink()),
  );
  if (foreign.length > 0) {
    const names = foreign.map((entry) => entry.name).sort();
    const shown = names.length > 5 ? [...names.slice(0, 5), "..."] : names;
    throw new KeyForgeError(
      "WEB_ROOT_OCCUPIED",
      `${root} holds files keyforge web-root did not write (${shown.join(", ")}): give an empty or new folder, or one it wrote before`,
    );
  }
}

/** The release `current` links to (`releases/<name>`), if any. */
async function servedRelease(root: string): Promise<string | undefined> {
  const link = join(root, CURRENT_RELEASE);
  const isLink = (await lstat(link).catch(() => undefined))?.isSymbolicLink() ?? false;
  return isLink ? readlink(link) : undefined;
}

/** Sortable by the time it was made, and unique: 20250101T120000123Z-3fa9c2. */
function releaseName(): string {
  const stamp = new Date().toISOString().replace(/[-:.]/g, "");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Copies the folder `from` to the new folder `to`, everything in it readable by all. */
async function copyReadable(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  await chmod(to, FOLDER_MODE);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const [source, target] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) {
      await copyReadable(source, target);
    } else {
      await copyFile(source, target);
      await chmod(target, FILE_MODE);
    }
  }
}

async function writeReadable(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, FILE_MODE);
}

/** Points `current` at `release` in one step: a new link renamed over the old one. */
async function switchTo(root: string, release: string): Promise<void> {
  const next = join(root, NEXT_RELEASE);
  // Left behind by a run that stopped between these two steps.
  await rm(next, { force: true });
  // Relative, so the link holds wherever the folder is mounted.
  await symlink(release, next);
  await rename(next, join(root, CURRENT_RELEASE));
}

async function removeReleasesBut(root: string, kept: readonly (string | undefined)[]) {
  for (const name of await readdir(join(root, RELEASES))) {
    const release = join(RELEASES, name);
    if (!kept.includes(release)) await rm(join(root, release), { recursive: true, force: true });
  }
}
