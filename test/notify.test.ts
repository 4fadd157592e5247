// Pure parts of desktop notifications: the text, the platform command builders, --sound and the notify flags.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { normaliseOptionalValue, notifyOptions } from '../src/cli/notify-options.js';
import { options as serveOptions } from '../src/cli/serve/index.js';
import { linuxCommand, linuxSoundCommand, notifySendBody } from '../src/notify/linux.js';
import { MACOS_SCRIPT, macosCommand } from '../src/notify/macos.js';
import {
  boundNotification,
  displayName,
  formatNotification,
  MAX_BODY_CHARS,
  MAX_TITLE_CHARS,
  truncate,
} from '../src/notify/notification.js';
import { resolveSound, type SoundChoice, SoundError } from '../src/notify/sound.js';
import { WINDOWS_ENCODED_SCRIPT, WINDOWS_ENV, WINDOWS_SCRIPT, windowsCommand } from '../src/notify/windows.js';
import { NASTY } from './helpers/fakes.js';
import { tempDir } from './helpers/temp.js';

const graphemes = (text: string) =>
  Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)).length;

describe('formatNotification', () => {
  it('titles the seed kinds the way the Python relay did, and shows session names when given', () => {
    expect(formatNotification({ from: { kind: 'desktop' }, to: { kind: 'code' }, text: 'hi' })).toEqual({
      title: 'New message for Code from Desktop',
      body: 'hi',
    });
    expect(formatNotification({ from: { kind: 'code' }, to: { kind: 'desktop' }, text: 'hi' }).title).toBe(
      'New message for Desktop from Code',
    );
    expect(
      formatNotification({ from: { kind: 'desktop', name: null }, to: { kind: 'code', name: 'api-server' }, text: 'x' })
        .title,
    ).toBe('New message for Code (api-server) from Desktop');
    expect(formatNotification({ from: { kind: 'cursor', name: 'main' }, to: null, text: 'x' }).title).toBe(
      'New message from cursor (main)',
    );
    expect(formatNotification({ from: { kind: null, name: 'ops' }, to: { kind: null }, text: 'x' }).title).toBe(
      'New message from ops',
    );
    expect(displayName({ kind: 'code', name: 'code' })).toBe('Code');
    expect(displayName({ kind: null })).toBeNull();
  });

  it('keeps a short body exactly, newlines included', () => {
    for (const text of NASTY)
      expect(formatNotification({ from: { kind: 'desktop' }, to: { kind: 'code' }, text }).body).toBe(text);
  });

  it('cuts the body to 200 characters on a grapheme boundary, ending in …', () => {
    const body = formatNotification({ from: { kind: 'code' }, to: { kind: 'desktop' }, text: '👩‍👩‍👧'.repeat(300) }).body;
    expect(graphemes(body)).toBe(MAX_BODY_CHARS);
    expect(body).toBe(`${'👩‍👩‍👧'.repeat(MAX_BODY_CHARS - 1)}…`);
    const ascii = formatNotification({ from: { kind: 'code' }, to: { kind: 'desktop' }, text: 'a'.repeat(201) }).body;
    expect(ascii).toBe(`${'a'.repeat(199)}…`);
    expect(formatNotification({ from: { kind: 'code' }, to: { kind: 'desktop' }, text: 'a'.repeat(200) }).body).toBe(
      'a'.repeat(200),
    );
  });

  it('bounds the title, makes it one line, and bounds a flood of combining marks', () => {
    const n = formatNotification({
      from: { kind: 'code', name: `x\n${'y'.repeat(500)}` },
      to: { kind: 'desktop' },
      text: `e${'\u0301'.repeat(5000)}`,
    });
    expect(graphemes(n.title)).toBeLessThanOrEqual(MAX_TITLE_CHARS);
    expect(n.title).not.toContain('\n');
    expect(n.title.endsWith('…')).toBe(true);
    expect(Array.from(n.body).length).toBeLessThanOrEqual(MAX_BODY_CHARS * 8);
    expect(n.body.endsWith('…')).toBe(true);
  });

  it('replaces NUL and other control characters (a child process refuses NUL) and lone surrogates; idempotent', () => {
    const n = boundNotification({ title: 'a\u0000b', body: 'c\u0000d\u0007e\tf\r\ng\uD800h\uFFFF' });
    expect(n).toEqual({ title: 'a\uFFFDb', body: 'c\uFFFDd\uFFFDe\tf\ng\uFFFDh\uFFFD' });
    expect(boundNotification(n)).toEqual(n);
    const long = boundNotification({ title: 't', body: 'word '.repeat(100) });
    expect(boundNotification(long)).toEqual(long);
    expect(truncate('abc', 2)).toBe('a…');
  });
});

describe('command builders put the text only in argv or the environment', () => {
  const sample = { title: 'New message for Code from Desktop', body: 'body' };

  it('macOS: a fixed `on run argv` script; title, body and sound are the last three arguments, after --', () => {
    for (const text of NASTY) {
      const command = macosCommand({ title: text, body: text }, 'Blow');
      expect(command.file).toBe('osascript');
      expect(command.args).toEqual([...MACOS_SCRIPT.flatMap((line) => ['-e', line]), '--', text, text, 'Blow']);
      for (const line of MACOS_SCRIPT) expect(line).not.toContain(text);
      expect(command.env).toEqual({});
    }
    expect(macosCommand(sample, null).args.at(-1)).toBe('');
    expect(MACOS_SCRIPT.join('\n')).toMatch(
      /^on run argv\n[\s\S]*item -3 of argv[\s\S]*item -2 of argv[\s\S]*item -1 of argv[\s\S]*end run$/,
    );
  });

  it('Windows: the same encoded script every time, with the text in RELAY_NOTIFY_* variables', () => {
    const decoded = Buffer.from(WINDOWS_ENCODED_SCRIPT, 'base64').toString('utf16le');
    expect(decoded).toBe(WINDOWS_SCRIPT);
    for (const text of NASTY) {
      const command = windowsCommand({ title: text, body: text }, 'ms-winsoundevent:Notification.Default');
      expect(command.file).toBe('powershell.exe');
      expect(command.args).toEqual([
        '-NoProfile',
        '-NonInteractive',
        '-WindowStyle',
        'Hidden',
        '-EncodedCommand',
        WINDOWS_ENCODED_SCRIPT,
      ]);
      expect(command.env).toEqual({
        [WINDOWS_ENV.title]: text,
        [WINDOWS_ENV.body]: text,
        [WINDOWS_ENV.sound]: 'ms-winsoundevent:Notification.Default',
      });
      expect(WINDOWS_SCRIPT).not.toContain(text);
    }
    // Every value read from the environment is escaped before it goes into the XML.
    expect(WINDOWS_SCRIPT).toContain(`[System.Security.SecurityElement]::Escape([string]$env:${WINDOWS_ENV.title})`);
    expect(WINDOWS_SCRIPT).toContain(`[System.Security.SecurityElement]::Escape([string]$env:${WINDOWS_ENV.body})`);
    expect(windowsCommand(sample, null).env[WINDOWS_ENV.sound]).toBe('');
  });

  it('Linux: notify-send --app-name=relay -- TITLE BODY, body markup and backslashes escaped; players get a file', () => {
    expect(linuxCommand({ title: '--urgency=critical \\n', body: '-u low <b>&amp;</b> \\n\\' })).toEqual({
      file: 'notify-send',
      args: ['--app-name=relay', '--', '--urgency=critical \\n', '-u low &lt;b&gt;&amp;amp;&lt;/b&gt; \\\\n\\\\'],
      env: {},
    });
    expect(notifySendBody('no markup here')).toBe('no markup here');
    expect(linuxSoundCommand('paplay', '/s/message.oga').args).toEqual(['/s/message.oga']);
    expect(linuxSoundCommand('pw-play', '/s/message.oga').args).toEqual(['/s/message.oga']);
    expect(linuxSoundCommand('canberra-gtk-play', '/s/message.oga').args).toEqual(['-f', '/s/message.oga']);
  });
});

describe('--sound', () => {
  const named = (value: string): SoundChoice => ({ kind: 'named', value });
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof SoundError) return { reason: error.reason, message: error.message };
      throw error;
    }
    throw new Error('expected a SoundError');
  };
  /** A data dir with a freedesktop theme holding `names`, as XDG_DATA_DIRS. */
  const soundTheme = (names: string[]) => {
    const data = tempDir();
    const stereo = path.join(data, 'sounds', 'freedesktop', 'stereo');
    fs.mkdirSync(stereo, { recursive: true });
    for (const name of names) fs.writeFileSync(path.join(stereo, name), 'OggS');
    return { data, stereo };
  };

  it('is off without the flag, on every platform', () => {
    for (const platform of ['darwin', 'linux', 'win32'] as const)
      expect(resolveSound({ kind: 'off' }, { platform })).toBeNull();
  });

  it('macOS: default Blow; any standard name, case-insensitive; anything else refused with the list', () => {
    const env = { HOME: tempDir() };
    expect(resolveSound({ kind: 'default' }, { platform: 'darwin', env })).toBe('Blow');
    expect(resolveSound(named('glass'), { platform: 'darwin', env })).toBe('Glass');
    expect(resolveSound(named('SOSUMI'), { platform: 'darwin', env })).toBe('Sosumi');
    fs.mkdirSync(path.join(env.HOME, 'Library', 'Sounds'), { recursive: true });
    fs.writeFileSync(path.join(env.HOME, 'Library', 'Sounds', 'Chime.aiff'), '');
    expect(resolveSound(named('chime'), { platform: 'darwin', env })).toBe('Chime');
    expect(refusal(() => resolveSound(named('trumpet'), { platform: 'darwin', env }))).toEqual({
      reason: 'usage',
      message:
        '--sound must be a macOS sound name: Basso, Blow, Bottle, Frog, Funk, Glass, Hero, Morse, Ping, Pop, Purr, Sosumi, Submarine, ' +
        "Tink (got 'trumpet')",
    });
  });

  it('Windows: default Notification.Default; known events with or without the prefix; an existing .wav', () => {
    const dir = tempDir();
    const wav = path.join(dir, 'ding.wav');
    fs.writeFileSync(wav, 'RIFF');
    const win = { platform: 'win32' as const };
    expect(resolveSound({ kind: 'default' }, win)).toBe('ms-winsoundevent:Notification.Default');
    expect(resolveSound(named('ms-winsoundevent:Notification.IM'), win)).toBe('ms-winsoundevent:Notification.IM');
    expect(resolveSound(named('notification.mail'), win)).toBe('ms-winsoundevent:Notification.Mail');
    expect(resolveSound(named('Reminder'), win)).toBe('ms-winsoundevent:Notification.Reminder');
    expect(resolveSound(named(wav), win)).toBe(wav);
    expect(refusal(() => resolveSound(named('ms-winsoundevent:Notification.Bogus'), win)).reason).toBe('usage');
    expect(refusal(() => resolveSound(named(path.join(dir, 'gone.wav')), win))).toEqual({
      reason: 'file',
      message: `--sound: ${path.join(dir, 'gone.wav')} does not exist`,
    });
    const mp3 = path.join(dir, 'tune.mp3');
    fs.writeFileSync(mp3, '');
    expect(refusal(() => resolveSound(named(mp3), win)).message).toMatch(/^--sound must be a \.wav file/);
  });

  it('Linux: default is the freedesktop message sound; theme names and files resolve to absolute paths', () => {
    const { data, stereo } = soundTheme(['message.oga', 'bell.oga']);
    const env = { HOME: tempDir(), XDG_DATA_DIRS: data };
    const linux = { platform: 'linux' as const, env };
    expect(resolveSound({ kind: 'default' }, linux)).toBe(path.join(stereo, 'message.oga'));
    expect(resolveSound(named('bell'), linux)).toBe(path.join(stereo, 'bell.oga'));
    const own = path.join(env.HOME, 'ping.wav');
    fs.writeFileSync(own, 'RIFF');
    expect(resolveSound(named(own), linux)).toBe(own);
    expect(refusal(() => resolveSound(named('trumpet'), linux))).toEqual({
      reason: 'usage',
      message:
        `--sound must be a sound file or a freedesktop sound name such as 'message' or 'bell' found under ` +
        `${path.join(env.HOME, '.local/share/sounds')} or ${path.join(data, 'sounds')} (got 'trumpet')`,
    });
    expect(refusal(() => resolveSound(named('/no/such/file.oga'), linux))).toEqual({
      reason: 'file',
      message: '--sound: /no/such/file.oga does not exist',
    });
    expect(refusal(() => resolveSound(named(env.HOME + '/'), linux))).toEqual({
      reason: 'file',
      message: `--sound: ${env.HOME} is not a file`,
    });
  });

  it('Linux: a missing default sound is refused with what to install', () => {
    const env = { HOME: tempDir(), XDG_DATA_DIRS: tempDir() };
    const refused = refusal(() => resolveSound({ kind: 'default' }, { platform: 'linux', env }));
    expect(refused.reason).toBe('file');
    expect(refused.message).toMatch(
      /^--sound: the default sound .*message\.oga\) is not installed; install the sound-theme-freedesktop package or pass --sound FILE$/,
    );
  });
});

describe('notification flags', () => {
  it('--sound takes a value only when one follows; a bare --sound means the platform default', () => {
    expect(normaliseOptionalValue(['--sound'], '--sound', serveOptions)).toEqual(['--sound=']);
    expect(normaliseOptionalValue(['--sound', '--client', 'desktop'], '--sound', serveOptions)).toEqual([
      '--sound=',
      '--client',
      'desktop',
    ]);
    expect(normaliseOptionalValue(['--sound', 'glass', '--debug'], '--sound', serveOptions)).toEqual([
      '--sound=glass',
      '--debug',
    ]);
    expect(normaliseOptionalValue(['--sound=glass'], '--sound', serveOptions)).toEqual(['--sound=glass']);
    // The value of another option is not a flag to normalise, and nothing after `--` is touched.
    expect(normaliseOptionalValue(['--db', '--sound', '--client', 'code'], '--sound', serveOptions)).toEqual([
      '--db',
      '--sound',
      '--client',
      'code',
    ]);
    expect(normaliseOptionalValue(['--', '--sound'], '--sound', serveOptions)).toEqual(['--', '--sound']);
  });

  it('notifications default to on for desktop only, and the flags override', () => {
    expect(notifyOptions({}, 'desktop')).toEqual({ enabled: true, sound: { kind: 'off' } });
    expect(notifyOptions({}, 'code').enabled).toBe(false);
    expect(notifyOptions({}, null).enabled).toBe(false);
    expect(notifyOptions({ notify: true }, 'code').enabled).toBe(true);
    expect(notifyOptions({ 'no-notify': true }, 'desktop').enabled).toBe(false);
    expect(notifyOptions({ sound: '' }, 'desktop').sound).toEqual({ kind: 'default' });
    expect(notifyOptions({ sound: 'glass' }, 'desktop').sound).toEqual({ kind: 'named', value: 'glass' });
    expect(() => notifyOptions({ notify: true, 'no-notify': true }, 'code')).toThrow(
      '--notify and --no-notify cannot be used together',
    );
  });
});
