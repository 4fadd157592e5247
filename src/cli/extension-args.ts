// The Claude Desktop extension's settings (RELAY_EXTENSION_* variables set by the manifest's mcp_config) as CLI
// flags. Desktop hands user_config to a server only by substitution into args or env, and a boolean becomes the
// text "true"/"false", which on/off flags cannot take; so the manifest passes env and this maps it. No I/O here.

/**
 * Notifications are on by default for `--client desktop`, so "true" adds nothing (and a bundle still starts with
 * a CLI that has no notification flags); a sound is passed as `--sound=NAME` so a name starting with "-" is never
 * read as a flag; "default" asks for the platform's own sound; empty, "none" or "off" means no sound.
 */
export function extensionArgs(env: NodeJS.ProcessEnv): string[] {
  const args: string[] = [];
  if (env.RELAY_EXTENSION_NOTIFY?.trim() === 'false') args.push('--no-notify');
  const sound = env.RELAY_EXTENSION_SOUND?.trim() ?? '';
  if (sound === 'default') args.push('--sound=');
  else if (sound !== '' && sound !== 'none' && sound !== 'off') args.push(`--sound=${sound}`);
  return args;
}
