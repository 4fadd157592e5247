// Types for deterministic-zip.mjs (a plain script module, used by scripts/build-mcpb.mjs).
export const FIXED_TIME: Date;
export function listFiles(dir: string): string[];
export function zipDirectory(dir: string): Uint8Array;
