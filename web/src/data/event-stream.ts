import { busEventSchema } from "../../../src/protocol/bus-events.ts";
import {
  JOB_EVENT_TYPES,
  type JobEvent,
  jobEventSchema,
} from "../../../src/protocol/job-events.ts";
import { type JobView, jobViewSchema } from "../../../src/protocol/job-messages.ts";
import { parseJsonText } from "../../../src/protocol/json-text.ts";

/** Whether a stream is live: it reconnects by itself unless the hive refused it. */
export type StreamState = "connecting" | "open" | "reconnecting" | "refused";

/** What a job's stream delivers: the job's view first, then its events. */
export type JobStreamMessage = { readonly type: "snapshot"; readonly view: JobView } | JobEvent;

/** The event types of a job's stream (GET /jobs/:id/events). */
export const JOB_STREAM_TYPES: readonly string[] = ["snapshot", ...JOB_EVENT_TYPES];

/** The event types of the stream of every event (GET /events). */
export const BUS_STREAM_TYPES: readonly string[] = [
  "snapshot",
  ...busEventSchema.options.map((option) => option.shape.type.value),
];

/** A message of a job's stream checked against the protocol; null for one that is not in it. */
export function jobStreamMessage(type: string, data: string): JobStreamMessage | null {
  if (type === "snapshot") {
    const view = parseJsonText(jobViewSchema, data);
    return view.success ? { type: "snapshot", view: view.data } : null;
  }
  const event = parseJsonText(jobEventSchema, data);
  return event.success && event.data.type === type ? event.data : null;
}

/**
 * Follows one of the hive's event streams. They are public reads, so the browser's EventSource
 * follows them (across origins too: the hive's CORS covers them) and reconnects by itself when
 * the connection drops; a stream the hive refused (an error status) is not tried again. Each
 * message of the given types reaches `onMessage` as its type and data text. Returns the function
 * that stops following.
 */
export function followEvents(
  url: string,
  types: readonly string[],
  onMessage: (type: string, data: string) => void,
  onState: (state: StreamState) => void,
): () => void {
  const source = new EventSource(url);
  onState("connecting");
  source.onopen = () => onState("open");
  source.onerror = () =>
    onState(source.readyState === EventSource.CLOSED ? "refused" : "reconnecting");
  for (const type of types) {
    source.addEventListener(type, (event) => onMessage(type, (event as MessageEvent).data));
  }
  return () => source.close();
}
