import { type Agent as HttpAgent, request } from "node:http";

/**
 * POSTs `body` as JSON to `url` over the keep-alive `agent`, as a simulated agent calls the
 * hive; resolves with the parsed answer of a 200 or 201, rejects with the status and body of
 * anything else.
 */
export function postJson(
  agent: HttpAgent,
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<unknown> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          if (status === 200 || status === 201) resolve(JSON.parse(text));
          else reject(new Error(`POST ${new URL(url).pathname}: ${status} ${text.slice(0, 300)}`));
        });
      },
    );
    call.on("error", reject);
    call.end(payload);
  });
}

/** The p-th percentile (0–100) of values sorted ascending; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
