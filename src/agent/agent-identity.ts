import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { writeDurably } from "../infra/durable-file.ts";
import { nodeIdOf } from "../protocol/node-messages.ts";

/** The agent's identity file in its data dir. */
export const IDENTITY_FILE = "identity.json";
const IDENTITY_FORMAT = "keyforge-agent-identity/1";

/** Who the agent is to the hive: an Ed25519 key pair, and the node id its public key gives. */
export interface AgentIdentity {
  readonly nodeId: string;
  /** 32 raw bytes in base64url, as the hive registers it. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
  /** Where the key is kept. */
  readonly file: string;
}

function identityOf(privateKey: KeyObject, file: string): AgentIdentity {
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  const publicKey = jwk.x as string;
  return { nodeId: nodeIdOf(publicKey), publicKey, privateKey, file };
}

/**
 * The agent's identity, created on first start in `dataDir` (readable by its owner only) and
 * the same ever after, so a restarted agent is the same node. Two agents starting at once on
 * one data dir end up with the same identity. A file others may read is refused, as ssh does:
 * its key may have leaked.
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<AgentIdentity> {
  const file = join(dataDir, IDENTITY_FILE);
  const existing = await readIdentity(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  // Of agents starting at once on one data dir, the first key written is kept.
  await writeDurably(file, `${JSON.stringify({ format: IDENTITY_FORMAT, privateKey: pem })}\n`, {
    replace: false,
  });
  return (await readIdentity(file)) as AgentIdentity;
}

/** The identity stored in `file`, or null when there is none yet. */
async function readIdentity(file: string): Promise<AgentIdentity | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new KeyForgeError(
      "IDENTITY_UNREADABLE",
      `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  if (process.platform !== "win32" && ((await stat(file)).mode & 0o077) !== 0) {
    throw new KeyForgeError(
      "IDENTITY_EXPOSED",
      `${file} may be read by other users, so its key may have leaked: chmod 600 it, or delete it to start as a new node`,
    );
  }
  try {
    const stored = JSON.parse(text) as { format?: unknown; privateKey?: unknown };
    if (stored.format !== IDENTITY_FORMAT || typeof stored.privateKey !== "string") {
      throw new Error(`not a ${IDENTITY_FORMAT} file`);
    }
    const privateKey = createPrivateKey(stored.privateKey);
    if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("the key is not Ed25519");
    return identityOf(privateKey, file);
  } catch (error) {
    throw new KeyForgeError(
      "IDENTITY_INVALID",
      `${file} is not a valid agent identity (${(error as Error).message}): delete it to start as a new node`,
    );
  }
}
