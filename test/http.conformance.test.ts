// The official MCP conformance suite (@modelcontextprotocol/conformance 0.1.13) against the HTTP relay. Most of its
// server scenarios call fixture tools, prompts and resources of its "everything" server (test_simple_text,
// test://static-text, ...), which the relay does not have; the ones that apply to any server are listed here and
// in docs/http.md, and each must pass. The whole suite runs once (about a second) so that table can be checked.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { startRelay } from './helpers/http.js';
import { root } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

/** Scenarios that test what every MCP server over Streamable HTTP must do, or what the relay declares. */
const APPLICABLE = [
  'server-initialize',
  'ping',
  'logging-set-level',
  'tools-list',
  'tools-call-error',
  'resources-list',
  'resources-subscribe',
  'resources-unsubscribe',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
] as const;

type Check = { id: string; status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string; errorMessage?: string };

function runConformance(url: string, outDir: string): Promise<void> {
  const bin = path.join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
  return new Promise((resolve, reject) => {
    // Its exit code says whether every scenario passed, which it will not (fixtures): the checks are read instead.
    const child = spawn(process.execPath, [bin, 'server', '--url', url, '--suite', 'all', '--output-dir', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: outDir,
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`conformance did not finish: ${output}`));
    }, 60_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** scenario name -> its checks, from the `server-<scenario>-<timestamp>/checks.json` folders. */
function readResults(outDir: string): Map<string, Check[]> {
  const results = new Map<string, Check[]>();
  for (const entry of fs.readdirSync(outDir)) {
    const scenario = /^server-(.+)-\d{4}-\d\d-\d\dT/.exec(entry)?.[1];
    const file = path.join(outDir, entry, 'checks.json');
    if (scenario !== undefined && fs.existsSync(file))
      results.set(scenario, JSON.parse(fs.readFileSync(file, 'utf8')) as Check[]);
  }
  return results;
}

const passed = (checks: Check[]) =>
  checks.some((c) => c.status === 'SUCCESS') && !checks.some((c) => c.status === 'FAILURE');

describe('MCP conformance suite 0.1.13 over Streamable HTTP', () => {
  it('passes every scenario that applies to the relay, as the README says', async () => {
    const relay = await startRelay();
    const outDir = tempDir('relay-conformance-');
    await runConformance(relay.url, outDir);
    const results = readResults(outDir);
    expect(results.size).toBeGreaterThan(APPLICABLE.length);
    for (const scenario of APPLICABLE) {
      const checks = results.get(scenario);
      expect(checks, `${scenario} did not run`).toBeDefined();
      const failures = checks!.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? ''}`);
      expect(failures, scenario).toEqual([]);
      expect(passed(checks!), scenario).toBe(true);
    }
    // The HTTP page's table (docs/http.md) lists each applicable scenario as passing.
    const readme = fs.readFileSync(path.join(root, 'docs', 'http.md'), 'utf8');
    for (const scenario of APPLICABLE) expect(readme).toMatch(new RegExp(`\\| \`${scenario}\` \\| pass`));
  });
});
