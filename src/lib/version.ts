// The package version. Baked in at build time (scripts/build.mjs and vitest.config.ts define __RELAY_VERSION__
// from package.json), so start-up reads no package.json. Nothing else belongs here.
declare const __RELAY_VERSION__: string;

export const version: string = __RELAY_VERSION__;
