import { useEffect, useState } from "preact/hooks";
import { messageOf } from "../error-message.ts";
import { coalesced } from "./coalesced.ts";
import { BUS_STREAM_TYPES, followEvents, type StreamState } from "./event-stream.ts";

export interface LiveReading<T> {
  /** The last reading; null before the first. */
  readonly value: T | null;
  /** Why the last read failed; null when it did not. */
  readonly failure: string | null;
  readonly stream: StreamState;
}

/**
 * Something read from the hive, read again whenever an event comes on the stream of every event
 * (GET /events) and every `everyMs` besides (for what no event announces, such as heartbeats).
 * Reads coalesce (coalesced.ts). `key` names
 * what is read: a new key starts over.
 */
export function useLiveReading<T>(
  read: () => Promise<T>,
  streamUrl: string,
  key: string,
  everyMs?: number,
): LiveReading<T> {
  const [value, setValue] = useState<T | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [stream, setStream] = useState<StreamState>("connecting");

  useEffect(() => {
    let stopped = false;
    const readNow = coalesced(async () => {
      try {
        const next = await read();
        if (!stopped) {
          setValue(next);
          setFailure(null);
        }
      } catch (error) {
        if (!stopped) setFailure(messageOf(error));
      }
    });
    readNow();
    const stopFollowing = followEvents(
      streamUrl,
      BUS_STREAM_TYPES,
      () => readNow(),
      (state) => !stopped && setStream(state),
    );
    const timer = everyMs === undefined ? undefined : setInterval(readNow, everyMs);
    return () => {
      stopped = true;
      stopFollowing();
      clearInterval(timer);
    };
  }, [streamUrl, key]);

  return { value, failure, stream };
}
