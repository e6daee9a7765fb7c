/** Replaced by the build (web/vite.config.ts) with package.json's version. */
declare const __KEYFORGE_VERSION__: string | undefined;

/**
 * The KeyForge release this web app was built from: what its installable exports name in their
 * header. Code run outside the build (tests under Node) sees "development".
 */
export const KEYFORGE_VERSION: string =
  typeof __KEYFORGE_VERSION__ === "string" ? __KEYFORGE_VERSION__ : "development";
