import { z } from "zod";
import { KeyForgeError } from "../../core/errors.ts";

/**
 * A backup of an embedded database is one file: this first line, a line of JSON saying what
 * the backup holds (the header below), then PGlite's gzipped tarball of the database folder.
 * The header is read without unpacking the tarball, so `keyforge restore` checks a backup's
 * schema before it writes anything.
 */
const FIRST_LINE = "keyforge-embedded-backup/1\n";

const headerSchema = z.strictObject({
  /** When the snapshot was taken (ISO 8601). */
  takenAt: z.iso.datetime(),
  /** The KeyForge version that took it. */
  keyforgeVersion: z.string().min(1),
  /** The migrations the database had applied, in order: its schema version. */
  migrations: z.array(z.string().min(1)),
});

export type EmbeddedBackupHeader = z.infer<typeof headerSchema>;

export interface EmbeddedBackup {
  readonly header: EmbeddedBackupHeader;
  /** The database folder as PGlite's gzipped tarball (dumpDataDir). */
  readonly tarball: Uint8Array;
}

/** The bytes of a backup file. */
export function encodeEmbeddedBackup(backup: EmbeddedBackup): Uint8Array {
  const head = new TextEncoder().encode(`${FIRST_LINE}${JSON.stringify(backup.header)}\n`);
  const bytes = new Uint8Array(head.length + backup.tarball.length);
  bytes.set(head);
  bytes.set(backup.tarball, head.length);
  return bytes;
}

/** Longest header read: a schema of thousands of migrations still fits. */
const MAX_HEADER_BYTES = 1 << 20;

/** GZIP's first two bytes: the tarball after the header must start with them. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Reads a backup file's bytes; anything else is BACKUP_INVALID, naming `source`. */
export function decodeEmbeddedBackup(bytes: Uint8Array, source: string): EmbeddedBackup {
  const invalid = (why: string) =>
    new KeyForgeError("BACKUP_INVALID", `${source} is not a KeyForge embedded backup: ${why}`);
  const first = new TextEncoder().encode(FIRST_LINE);
  if (!first.every((byte, i) => bytes[i] === byte)) {
    throw invalid(`it does not start with "${FIRST_LINE.trim()}"`);
  }
  const end = bytes.indexOf(0x0a, first.length);
  if (end < 0 || end - first.length > MAX_HEADER_BYTES) throw invalid("its header line is cut");
  let header: EmbeddedBackupHeader;
  try {
    header = headerSchema.parse(
      JSON.parse(new TextDecoder().decode(bytes.subarray(first.length, end))),
    );
  } catch {
    throw invalid("its header is not the header of this format");
  }
  const tarball = bytes.subarray(end + 1);
  if (tarball[0] !== GZIP_MAGIC[0] || tarball[1] !== GZIP_MAGIC[1]) {
    throw invalid("the database tarball after the header is missing or cut");
  }
  return { header, tarball };
}
