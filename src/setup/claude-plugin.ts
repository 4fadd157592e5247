// relay's Claude Code plugin, as Claude Code records an installed plugin: `~/.claude/plugins/installed_plugins.json`
// lists each plugin's install folder, and `enabledPlugins` in settings.json turns it on. relay's plugin is the one
// whose MCP servers start relay (`node …/dist/cli.js --client code`), whatever its marketplace is called. With it
// enabled, setup code registers nothing beside it and doctor reports a second registration. Reads only.
import path from 'node:path';

import { claudeDir, settingsFile } from './claude-extras.js';
import { ConfigFileError, readJson } from './config-file.js';
import { getIn } from './json-edit.js';
import { relayArgs } from './launcher.js';
import type { SetupContext } from './steps.js';

export interface RelayPlugin {
  /** `<plugin>@<marketplace>`, e.g. relay@mcp-relay. */
  id: string;
  installPath: string;
  enabled: boolean;
}

const installedFile = (context: Pick<SetupContext, 'home' | 'env'>) =>
  path.join(claudeDir(context), 'plugins', 'installed_plugins.json');

/** Reads a JSON file, or null when it is missing or unusable (a plugin record is Claude Code's, not ours to judge). */
function tryRead(file: string): Record<string, unknown> | null {
  try {
    const read = readJson(file);
    return read.text === null ? null : read.data;
  } catch (error) {
    if (error instanceof ConfigFileError) return null;
    throw error;
  }
}

/** True when a plugin's declared MCP servers (in .mcp.json or plugin.json) start relay. */
function startsRelay(installPath: string): boolean {
  const declared = [
    tryRead(path.join(installPath, '.mcp.json')),
    tryRead(path.join(installPath, '.claude-plugin', 'plugin.json')),
  ];
  for (const file of declared) {
    if (file === null) continue;
    const servers = (getIn(file, ['mcpServers']) ?? file) as Record<string, unknown>;
    if (servers === null || typeof servers !== 'object') continue;
    for (const entry of Object.values(servers)) {
      const command = getIn(entry, ['command']);
      const args = getIn(entry, ['args']);
      if (typeof command !== 'string' || !Array.isArray(args)) continue;
      const rest = relayArgs(command, args.map(String));
      if (rest !== null && rest.includes('--client') && rest[rest.indexOf('--client') + 1] === 'code') return true;
    }
  }
  return false;
}

/** Every installed plugin that carries relay, with whether settings.json enables it (first: the enabled ones). */
export function relayPlugins(context: Pick<SetupContext, 'home' | 'env'>): RelayPlugin[] {
  const installed = getIn(tryRead(installedFile(context)), ['plugins']);
  if (installed === null || typeof installed !== 'object') return [];
  const enabled = getIn(tryRead(settingsFile(context)), ['enabledPlugins']);
  const found: RelayPlugin[] = [];
  for (const [id, records] of Object.entries(installed as Record<string, unknown>)) {
    for (const record of Array.isArray(records) ? records : [records]) {
      const installPath = getIn(record, ['installPath']);
      if (typeof installPath !== 'string' || !startsRelay(installPath)) continue;
      found.push({ id, installPath, enabled: getIn(enabled, [id]) === true });
      break;
    }
  }
  return found.sort((a, b) => Number(b.enabled) - Number(a.enabled));
}

/** The enabled relay plugin, if any. */
export function enabledRelayPlugin(context: Pick<SetupContext, 'home' | 'env'>): RelayPlugin | null {
  return relayPlugins(context).find((p) => p.enabled) ?? null;
}
