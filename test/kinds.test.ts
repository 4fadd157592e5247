// 12.7: a misspelt client kind is an error that says which kind was meant, wherever a kind is given (server
// flags, terminal commands, HTTP headers); a kind near no known one stays possible on purpose.
import { describe, expect, it } from 'vitest';

import { identityFromRequest } from '../src/http/identity.js';
import { editDistance, KNOWN_KINDS, similarNames } from '../src/store/kinds.js';
import { body, connect } from './helpers/server.js';
import { runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

describe('which known kind a word is a typo of', () => {
  it('finds swapped, missing, extra and wrong letters, and other cases; leaves new kinds alone', () => {
    expect(similarNames('dekstop', KNOWN_KINDS)).toEqual(['desktop']);
    expect(similarNames('desktp', KNOWN_KINDS)).toEqual(['desktop']);
    expect(similarNames('deskotp', KNOWN_KINDS)).toEqual(['desktop']);
    expect(similarNames('Desktop', KNOWN_KINDS)).toEqual(['desktop']);
    expect(similarNames('cdoe', KNOWN_KINDS)).toEqual(['code']);
    expect(similarNames('cursr', KNOWN_KINDS)).toEqual(['cursor']);
    expect(similarNames('codx', KNOWN_KINDS)).toEqual(['code', 'codex']);
    for (const known of KNOWN_KINDS) expect(similarNames(known, KNOWN_KINDS)).toEqual([]);
    for (const fresh of ['claude', 'aider', 'zed', 'goose', 'opencode', 'doctor', 'vscode', 'kiro']) {
      expect(similarNames(fresh, KNOWN_KINDS), fresh).toEqual([]);
    }
  });

  it('measures edits as optimal string alignment, and stops early past the limit', () => {
    expect(editDistance('desktop', 'desktop')).toBe(0);
    expect(editDistance('dekstop', 'desktop')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3);
    expect(editDistance('', 'code')).toBe(4);
    expect(editDistance('completely', 'different', 2)).toBe(3);
  });
});

describe('every place a kind is given', () => {
  it('refuses a typo with exit 2 and "did you mean desktop?": --client, send --as, fetch --for, preview --for', async () => {
    const home = tempDir();
    for (const args of [
      ['--client', 'dekstop'],
      ['connect', 'http://127.0.0.1:1/mcp', '--client', 'dekstop'],
      ['send', '--as', 'dekstop', 'hello'],
      ['fetch', '--for', 'dekstop'],
      ['preview', '--for', 'Desktop'],
    ]) {
      const result = await runCli(args, home);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(
        /'(dekstop|Desktop)' is not a client kind relay knows; did you mean desktop\?/,
      );
    }
    // Nothing was sent or created by the refused commands.
    expect((await runCli(['status', '--json'], home)).stdout).toContain('"exists":false');
  });

  it('accepts a new kind near no known one', async () => {
    const home = tempDir();
    expect((await runCli(['send', '--as', 'aider', 'from a new client'], home)).code).toBe(0);
  });

  it('answers an HTTP client whose X-Relay-Client is a typo with the same sentence', () => {
    expect(() => identityFromRequest({ headers: { 'x-relay-client': 'dekstop' }, url: '/mcp' })).toThrow(
      "X-Relay-Client (or ?client=) 'dekstop' is not a client kind relay knows; did you mean desktop?",
    );
    expect(identityFromRequest({ headers: {}, url: '/mcp?client=aider' }).kind).toBe('aider');
  });

  it("refuses a kind's name as another kind's session name (--name desktop for Code), saying why", async () => {
    const home = tempDir();
    const result = await runCli(['--client', 'code', '--name', 'desktop'], home);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--name 'desktop' is a client kind's name, so it cannot name a code session; pick another name/,
    );
    expect(() =>
      identityFromRequest({ headers: { 'x-relay-client': 'code', 'x-relay-name': 'Cursor' }, url: '/mcp' }),
    ).toThrow(/X-Relay-Name \(or \?name=\) 'Cursor' is a client kind's name \(cursor\)/);
    // A kind's own session may carry the kind's name: that is Desktop's default.
    expect(
      identityFromRequest({ headers: { 'x-relay-client': 'desktop', 'x-relay-name': 'desktop' }, url: '/mcp' }).name,
    ).toBe('desktop');
  });
});

describe("relay_send's `to`", () => {
  it('matches a kind or a session case-insensitively where only one fits, and suggests the likely one otherwise', async () => {
    const code = await connect('code', undefined, { name: 'Billing' });
    await connect('code', code.dbFile, { name: 'api' });
    await connect('code', code.dbFile, { name: 'API' });
    expect(body(await code.call('relay_send', { message: 'to Desktop', to: 'Desktop' }))).toMatchObject({
      ok: true,
      recipients: ['desktop (next to fetch)'],
    });
    const desktop = await connect('desktop', code.dbFile);
    expect(body(await desktop.call('relay_send', { message: 'to billing', to: 'billing' }))).toMatchObject({
      ok: true,
      recipients: ['Billing'],
    });
    const typo = body(await code.call('relay_send', { message: 'lost?', to: 'dekstop' }));
    expect(typo).toMatchObject({
      ok: false,
      error: expect.stringContaining('No session or client kind is called "dekstop". Did you mean "desktop"?'),
    });
    // Two sessions differing only in case: no guess at which, both named.
    const either = body(await desktop.call('relay_send', { message: 'which?', to: 'Api' }));
    expect(either).toMatchObject({ ok: false, error: expect.stringContaining('Did you mean "api" or "API"?') });
  });
});
