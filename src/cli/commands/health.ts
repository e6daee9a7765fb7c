import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { periodSeconds } from "../flag-values.ts";
import { httpUrl } from "../service-urls.ts";

const DEFAULT_TIMEOUT_SECONDS = 5;

/**
 * Exits 0 when the URL answers 2xx within the time-out, else 1 saying why: the health check of
 * a container whose image has no shell and no curl (the services' own `/health`).
 */
async function checkHealth(target: string, flags: { timeout: number }): Promise<void> {
  const url = new URL(httpUrl(target, "<url>"));
  let status: number;
  try {
    const answer = await fetch(url, {
      signal: AbortSignal.timeout(flags.timeout * 1000),
      redirect: "manual",
    });
    status = answer.status;
    await answer.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const reason =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${flags.timeout} s`
        : (cause ?? (error as Error).message);
    throw new KeyForgeError("UNHEALTHY", `unhealthy: ${url.href} cannot be reached: ${reason}`);
  }
  if (status < 200 || status > 299) {
    throw new KeyForgeError("UNHEALTHY", `unhealthy: ${url.href} answered ${status}`);
  }
  console.log(`healthy: ${url.href} answered ${status}`);
}

export function registerHealthCommand(program: Command): void {
  program
    .command("health")
    .description(
      "check a service's health URL: exit 0 when it answers 2xx (container health checks)",
    )
    .argument("<url>", "e.g. http://127.0.0.1:3000/health")
    .option(
      "--timeout <seconds>",
      `how long to wait for the answer (default ${DEFAULT_TIMEOUT_SECONDS})`,
      periodSeconds,
      DEFAULT_TIMEOUT_SECONDS,
    )
    .action(checkHealth);
}
