// Types for node-versions.mjs (a plain script, so .ci/run can run it before anything is built).
export interface Pin {
  version: string;
  integrity: string;
}

export const PINNED: Record<string, Pin>;
export function pinnedNodePath(major: number | string): string;
export function nodeVersionOf(binary: string): string | null;
export function installNode(major: number | string, log?: (line: string) => void): string;
