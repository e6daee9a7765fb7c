import type { Command } from "commander";
import { httpUrl } from "../service-urls.ts";

interface WebRootFlags {
  out: string;
  api: string;
  assets: string;
}

/**
 * Writes the web app this package holds, with its config.json, into a static file server's web
 * root: how the gateway's keyforge.<domain> host gets it out of the image, which has no shell
 * to copy files with.
 */
async function writeWebApp(flags: WebRootFlags): Promise<void> {
  const config = { api: httpUrl(flags.api, "--api"), assets: httpUrl(flags.assets, "--assets") };
  // Loaded on use, as the other commands load what only they need.
  const { WEB_APP_DIR } = await import("../../infra/web-app.ts");
  const { CURRENT_RELEASE, writeWebRoot } = await import("../../infra/web-root.ts");
  const written = await writeWebRoot({ build: WEB_APP_DIR, root: flags.out, config });
  console.log(
    `web root ${written.root}: serving ${written.release} (${CURRENT_RELEASE} links to it), API ${config.api}, assets ${config.assets}`,
  );
}

export function registerWebRootCommand(program: Command): void {
  program
    .command("web-root")
    .description(
      "write the web app and its config.json into a static file server's web root (the gateway's keyforge.<domain> host serves <dir>/current); an update switches in one step",
    )
    .requiredOption("--out <dir>", "the web root: a new or empty folder, or one written before")
    .requiredOption(
      "--api <url>",
      "the hive API's URL for browsers, e.g. https://api.keyforge.example.org",
    )
    .requiredOption(
      "--assets <url>",
      "the assets gateway's URL for browsers, e.g. https://assets.keyforge.example.org",
    )
    .action(writeWebApp);
}
