import { KeyForgeError } from "../core/errors.ts";

/**
 * Open event streams per client on this instance. A stream holds a connection and a
 * subscription for as long as the client likes, so one client could hold thousands; past the
 * cap its next stream is refused (429) until one of its streams closes.
 */
export class StreamSlots {
  private readonly perClient: number;
  private readonly open = new Map<string, number>();

  constructor(perClient: number) {
    this.perClient = perClient;
  }

  /** Takes a slot for `client`, or throws TOO_MANY_STREAMS; the returned function gives it back once. */
  take(client: string): () => void {
    const held = this.open.get(client) ?? 0;
    if (held >= this.perClient) {
      throw new KeyForgeError(
        "TOO_MANY_STREAMS",
        `this client already follows ${held} event streams, the most one client may: close one first`,
      );
    }
    this.open.set(client, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(client) ?? 1) - 1;
      if (left === 0) this.open.delete(client);
      else this.open.set(client, left);
    };
  }
}
