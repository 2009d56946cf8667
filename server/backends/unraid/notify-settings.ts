import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import type { Importance } from './notification-file.js';

/** Where Unraid keeps notifications when the owner has not chosen otherwise (RAM, lost at reboot). */
export const DEFAULT_NOTIFY_PATH = '/tmp/notifications';

export interface NotifySettings {
  /** The notification folder: `unread/` and `archive/` live in it. */
  path: string;
  /** Whether `path` came from the dynamix settings (false: the default, no setting found). */
  fromSettings: boolean;
  /**
   * Per importance, whether the owner shows it in the browser (bit 1 of the dynamix `[notify]`
   * value; bit 2 is e-mail, bit 4 the agents): only those get an unread copy, as notify does.
   */
  browser: Record<Importance, boolean>;
}

/**
 * The `[notify]` section of the WebGUI's dynamix.cfg, read per call. A missing file or key means
 * Unraid's defaults (shipped in the WebGUI's default.cfg): `/tmp/notifications`, every importance
 * shown in the browser.
 */
export async function readNotifySettings(cfgPath: string): Promise<NotifySettings> {
  let text = '';
  try {
    text = await readFile(cfgPath, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        'The notification settings (dynamix.cfg on the flash drive) could not be read (permission denied) — unraid-mcp must run as root.',
      );
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
  const notify = iniSection(text, 'notify');
  const path = notify.get('path')?.replace(/(.)\/+$/, '$1');
  const shown = (key: Importance) => {
    const v = notify.get(key);
    return v === undefined || !/^\d+$/.test(v) ? true : (Number(v) & 1) === 1;
  };
  const settings: NotifySettings = {
    path: path || DEFAULT_NOTIFY_PATH,
    fromSettings: Boolean(path),
    browser: { normal: shown('normal'), warning: shown('warning'), alert: shown('alert') },
  };
  checkNotifyPath(settings.path);
  return settings;
}

/**
 * The folder must be an absolute path, and not on the array: /mnt holds the disks, and reading
 * there could spin one up (the owner keeps notifications in RAM or on the flash drive).
 */
function checkNotifyPath(path: string): void {
  if (!path.startsWith('/') || path.split('/').includes('..'))
    throw new BackendUnavailableError(
      `The notification folder in the dynamix settings ("${path}") is not an absolute path; fix it in Settings → Notification Settings.`,
    );
  const normal = posix.normalize(path);
  if (normal === '/mnt' || normal.startsWith('/mnt/'))
    throw new BackendUnavailableError(
      `Notifications are kept under ${normal}, on the array; unraid-mcp does not read there (it could spin up a disk). Keep them in RAM or on the flash drive (Settings → Notification Settings) to use these tools.`,
    );
}

/** `key=value` lines of one `[section]`, values unquoted; comments and other sections ignored. */
function iniSection(text: string, section: string): Map<string, string> {
  const out = new Map<string, string>();
  let inSection = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inSection = line === `[${section}]`;
      continue;
    }
    if (!inSection || line.startsWith(';') || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out.set(line.slice(0, eq).trim(), value);
  }
  return out;
}
