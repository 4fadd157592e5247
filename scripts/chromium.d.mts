import type { Browser } from 'playwright-core';

export const CHROMIUM_ARGS: readonly string[];
export function chromiumPath(env?: NodeJS.ProcessEnv): string | null;
export function launchChromium(extraArgs?: string[]): Promise<Browser>;
