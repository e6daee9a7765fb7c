import { config } from "zod";

/**
 * The gateway's Content-Security-Policy forbids eval, and zod probes for it (with Function) the
 * first time it validates, which the browser reports as a violation. Imported first by the page
 * and by every worker, before anything validates, so zod never probes and takes its eval-free
 * path from the start.
 */
config({ jitless: true });
