/**
 * Where the page finds the hive's API and the assets gateway. The server that serves the page
 * writes config.json beside it (the hive and `keyforge up` answer it; the gateway's static host
 * has it written at deployment), so one build works everywhere.
 */
export interface WebConfig {
  /** Base URL of the hive API ("" for the page's own origin). */
  readonly api: string;
  /** Base URL of the assets gateway. */
  readonly assets: string;
}

function baseUrl(value: unknown, fallback: string): string {
  return typeof value === "string" ? value.replace(/\/+$/, "") : fallback;
}

export async function loadWebConfig(): Promise<WebConfig> {
  const response = await fetch("./config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as Record<string, unknown>;
  return { api: baseUrl(config.api, ""), assets: baseUrl(config.assets, "") };
}
