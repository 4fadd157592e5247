// Windows: a FIXED PowerShell script, passed as -EncodedCommand, that reads title, body and sound from environment
// variables and builds the toast XML with SecurityElement.Escape. The text never appears in the script or the
// command line, so nothing in a message can become PowerShell.
import type { Notification } from './notification.js';
import type { Command } from './run.js';

export const WINDOWS_ENV = {
  title: 'RELAY_NOTIFY_TITLE',
  body: 'RELAY_NOTIFY_BODY',
  sound: 'RELAY_NOTIFY_SOUND',
} as const;

/** Windows PowerShell's own AppUserModelID: toasts from an unregistered id are dropped silently. */
const APP_ID = '{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe';

export const WINDOWS_SCRIPT = `$ErrorActionPreference = 'Stop'
$title = [System.Security.SecurityElement]::Escape([string]$env:${WINDOWS_ENV.title})
$body = [System.Security.SecurityElement]::Escape([string]$env:${WINDOWS_ENV.body})
$sound = [string]$env:${WINDOWS_ENV.sound}
$audio = '<audio silent="true"/>'
if ($sound.StartsWith('ms-winsoundevent:')) { $audio = '<audio src="' + [System.Security.SecurityElement]::Escape($sound) + '"/>' }
$xml = '<toast><visual><binding template="ToastGeneric"><text>' + $title + '</text><text>' + $body +
  '</text></binding></visual>' + $audio + '</toast>'
[void][Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]
[void][Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime]
$doc = New-Object Windows.Data.Xml.Dom.XmlDocument
$doc.LoadXml($xml)
$notifier = [Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('${APP_ID}')
$notifier.Show([Windows.UI.Notifications.ToastNotification]::new($doc))
if ($sound -ne '' -and -not $sound.StartsWith('ms-winsoundevent:')) { (New-Object System.Media.SoundPlayer $sound).PlaySync() }
`;

/** -EncodedCommand takes base64 of UTF-16LE. */
export const WINDOWS_ENCODED_SCRIPT = Buffer.from(WINDOWS_SCRIPT, 'utf16le').toString('base64');

export function windowsCommand(notification: Notification, sound: string | null): Command {
  return {
    file: 'powershell.exe',
    args: ['-NoProfile', '-NonInteractive', '-WindowStyle', 'Hidden', '-EncodedCommand', WINDOWS_ENCODED_SCRIPT],
    env: {
      [WINDOWS_ENV.title]: notification.title,
      [WINDOWS_ENV.body]: notification.body,
      [WINDOWS_ENV.sound]: sound ?? '',
    },
  };
}
