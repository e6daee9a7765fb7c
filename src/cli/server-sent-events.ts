/** One message of a Server-Sent Events stream: an event, or a comment (a keep-alive). */
export type ServerSentMessage =
  | { readonly kind: "event"; readonly event: string; readonly data: string; readonly id?: string }
  | { readonly kind: "comment"; readonly text: string };

/**
 * Parses a Server-Sent Events stream (the WHATWG `text/event-stream` format) fed in chunks of
 * text cut anywhere: lines end with CRLF, LF or CR; `field: value` lines build an event and a
 * blank line dispatches it; `data` lines join with newlines; lines starting with `:` are
 * comments. An event without data is not dispatched, as in a browser's EventSource.
 */
export class ServerSentEventParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  /** Feeds the next chunk; returns the messages it completed. */
  push(chunk: string): ServerSentMessage[] {
    this.buffer += chunk;
    const messages: ServerSentMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const char = this.buffer[i];
      if (char !== "\n" && char !== "\r") continue;
      // A CR that ends the chunk may be the first half of a CRLF: wait for the next chunk.
      if (char === "\r" && i === this.buffer.length - 1) break;
      this.line(this.buffer.slice(start, i), messages);
      if (char === "\r" && this.buffer[i + 1] === "\n") i++;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return messages;
  }

  private line(line: string, messages: ServerSentMessage[]): void {
    if (line === "") {
      this.dispatch(messages);
      return;
    }
    if (line.startsWith(":")) {
      messages.push({ kind: "comment", text: line.slice(1).replace(/^ /, "") });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    // `retry` and unknown fields do not concern a client that reconnects on its own terms.
  }

  private dispatch(messages: ServerSentMessage[]): void {
    if (this.data.length > 0) {
      messages.push({
        kind: "event",
        event: this.event || "message",
        data: this.data.join("\n"),
        ...(this.id !== undefined && { id: this.id }),
      });
    }
    this.event = "";
    this.data = [];
  }
}
