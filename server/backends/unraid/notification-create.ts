import { execFile } from 'node:child_process';
import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolError } from '../../errors/tool-error.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import {
  formatNotification,
  notificationFileName,
  parseNotification,
  type Importance,
  type NotificationFields,
} from './notification-file.js';
import type { NotifySettings } from './notify-settings.js';

export interface NewNotification {
  event: string;
  subject: string;
  description: string;
  importance: Importance;
}

export interface CreatedNotification {
  /** How it was made: Unraid's notify script, or the files written directly (no script on this host). */
  via: 'notify-script' | 'files';
  /** The file name in `archive/` (and `unread/` when shown in the browser); null if none appeared. */
  file: string | null;
  /** True when an unread copy exists (the owner shows this importance in the browser). */
  unread: boolean;
  /** The notification as read back from its file; null if none appeared. */
  stored: NotificationFields | null;
}

const SCRIPT_TIMEOUT_MS = 15_000;
/**
 * notify names a file by event and second, and silently drops a notification whose archived file
 * already exists. So creations here are one at a time, each in a second whose name is still free.
 */
let tail: Promise<unknown> = Promise.resolve();

export function createNotification(opts: {
  dir: string;
  settings: NotifySettings;
  script: string;
  notification: NewNotification;
  now: () => Date;
  signal?: AbortSignal;
}): Promise<CreatedNotification> {
  const run = tail.then(() => createOne(opts));
  tail = run.catch(() => undefined);
  return run;
}

async function createOne(opts: {
  dir: string;
  settings: NotifySettings;
  script: string;
  notification: NewNotification;
  now: () => Date;
  signal?: AbortSignal;
}): Promise<CreatedNotification> {
  const { dir, notification: n } = opts;
  const ts = await freeSecond(dir, n.event, opts.now, opts.signal);
  if (await canRun(opts.script)) {
    // notify takes its own clock reading, so its file may carry a later second than ours: the names
    // of the next few seconds that are free now and taken after the script ran are its.
    const names = Array.from({ length: 4 }, (_, i) => notificationFileName(n.event, ts + i));
    const takenBefore = await Promise.all(names.map((f) => exists(join(dir, 'archive', f))));
    await runNotify(opts.script, n, opts.signal);
    for (const [i, file] of names.entries()) {
      if (takenBefore[i]) continue;
      // The subject as notify stored it (it turns entities such as &amp; into spaces).
      const stored = await readStored(join(dir, 'archive', file));
      if (stored)
        return { via: 'notify-script', file, unread: await exists(join(dir, 'unread', file)), stored };
    }
    return { via: 'notify-script', file: null, unread: false, stored: null };
  }
  const fields: NotificationFields = { timestamp: ts, ...n, link: '' };
  const file = notificationFileName(n.event, ts);
  try {
    await mkdir(join(dir, 'archive'), { recursive: true, mode: 0o755 });
    await mkdir(join(dir, 'unread'), { recursive: true, mode: 0o755 });
    await writeFile(join(dir, 'archive', file), formatNotification(fields, 'archive'), {
      flag: 'wx',
      mode: 0o644,
    });
    const unread = opts.settings.browser[n.importance];
    if (unread)
      await writeFile(join(dir, 'unread', file), formatNotification(fields, 'unread'), {
        flag: 'wx',
        mode: 0o644,
      });
    return { via: 'files', file, unread, stored: (await readStored(join(dir, 'archive', file))) ?? null };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied — unraid-mcp must run as root'
        : code === 'EROFS'
          ? 'the folder is read-only'
          : code === 'ENOSPC'
            ? 'no space left'
            : `error ${typeof code === 'string' ? code : 'unknown'}`;
    throw new BackendUnavailableError(
      `The notification could not be written to the notification folder (${why}).`,
    );
  }
}

/** This second, or the next ones while a notification of the same event already holds their name. */
async function freeSecond(
  dir: string,
  event: string,
  now: () => Date,
  signal?: AbortSignal,
): Promise<number> {
  for (let i = 0; i < 30; i++) {
    signal?.throwIfAborted();
    const ms = now().getTime();
    const ts = Math.floor(ms / 1000);
    if (!(await exists(join(dir, 'archive', notificationFileName(event, ts))))) return ts;
    await new Promise((r) => setTimeout(r, 1000 - (ms % 1000) + 5));
  }
  throw new ConflictError('Notifications are being created faster than one a second; try again shortly.');
}

async function canRun(script: string): Promise<boolean> {
  return access(script, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function readStored(path: string): Promise<NotificationFields | null> {
  const bytes = await readFile(path).catch(() => null);
  if (!bytes) return null;
  const p = parseNotification(bytes);
  return p.ok ? p.fields : null;
}

/**
 * `notify -e EVENT -s SUBJECT -d DESCRIPTION -i IMPORTANCE`, as the WebGUI and plugins call it: no
 * shell, each value its own argument (PHP's getopt takes the next argument as the value even when
 * it starts with "-"). notify itself decides the unread copy, e-mail and agents from the owner's
 * notification settings.
 */
function runNotify(script: string, n: NewNotification, signal?: AbortSignal): Promise<void> {
  const args = ['-e', n.event, '-s', n.subject, '-d', n.description, '-i', n.importance];
  return new Promise((resolve, reject) => {
    execFile(
      script,
      args,
      { signal, timeout: SCRIPT_TIMEOUT_MS, maxBuffer: 256 * 1024, windowsHide: true },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        if (signal?.aborted) return reject(signal.reason as Error);
        const last = String(stderr)
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .at(-1);
        const how = (err as NodeJS.ErrnoException & { killed?: boolean }).killed
          ? `did not finish within ${SCRIPT_TIMEOUT_MS / 1000} s`
          : `failed (exit ${typeof err.code === 'number' ? err.code : String(err.code ?? '?')})`;
        reject(
          new ToolError(
            'notify_failed',
            `Unraid's notify script ${how}${last ? `: ${JSON.stringify(last.slice(0, 300))}` : ''}. No notification was confirmed.`,
          ),
        );
      },
    );
  });
}
