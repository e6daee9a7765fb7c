/** One Server-Sent Event as the hive sends it: its type and its JSON data. */
export interface StreamedEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/**
 * Reads the Server-Sent Events of `response` until `until` accepts one (the stream is then
 * cancelled) or the stream ends; returns every event read. Comments (keep-alives) are skipped.
 */
export async function readEvents(
  response: Response,
  until: (type: string, data: Record<string, unknown>) => boolean,
): Promise<StreamedEvent[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: StreamedEvent[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return events;
    buffer += decoder.decode(value, { stream: true });
    const blocks = buffer.split("\n\n");
    buffer = blocks.pop() ?? "";
    for (const block of blocks) {
      const type = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (type === undefined || data === undefined) continue;
      const event = { type, data: JSON.parse(data) as Record<string, unknown> };
      events.push(event);
      if (until(event.type, event.data)) {
        await reader.cancel();
        return events;
      }
    }
  }
}
