import { closeSync, openSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import {
  MAX_NOTIFICATION_BYTES,
  parseNotification,
  timestampFromFileName,
  type ParsedNotification,
  type Importance,
  type NotificationFields,
} from './notification-file.js';

export type NotificationState = 'unread' | 'archived';

export interface NotificationEntry extends NotificationFields {
  /** The file name: what notification_archive takes. */
  file: string;
  state: NotificationState;
}

export interface NotificationQuery {
  state: NotificationState | 'all';
  importance?: Importance;
  /** Case-insensitive text the subject must contain. */
  subject?: string;
  /** Unix seconds: only notifications at or after. */
  since?: number;
  limit: number;
  signal?: AbortSignal;
}

export interface NotificationListing {
  /** Newest first. */
  entries: NotificationEntry[];
  /** Notifications in each folder (an unread one's archive twin is not counted again). */
  totals: { unread: number; archived: number };
  /** Files read that are not notifications, with why (the first few). */
  skipped: number;
  skippedExamples: Array<{ file: string; reason: string }>;
  /** True when more notifications match than `limit`, or files were left unread. */
  more: boolean;
  /** Folders that do not exist yet (notify creates them with the first notification). */
  missingFolders: Array<'unread' | 'archive'>;
}

/**
 * Files are read synchronously, in slices of at most SLICE_MS with a yield to the event loop between
 * them. A notification is a few hundred bytes in RAM (/tmp) or on the flash drive, cached after its
 * first read: a synchronous read costs a few microseconds, where the thread pool's open/read/close
 * round trips cost ~80 µs a file (10,000 files: 0.8 s against ~60 ms). The slice bounds how long other
 * clients wait.
 */
const SLICE_MS = 10;
/** Bytes of the first read of a file: a notification is a few hundred. */
const FIRST_READ = 4096;
/** A filtered search reads at most this many files; the owner can prune the archive in the WebGUI. */
export const MAX_FILES_READ = 20_000;

interface Candidate {
  file: string;
  state: NotificationState;
  /** From the name; files without one are read first (their time is only in the file). */
  nameTs: number;
}

/**
 * Lists notifications newest first. Unraid's notify writes every notification to `archive/` and, if
 * the owner shows that importance in the browser, also to `unread/`; so a file in `unread/` is unread
 * even though its twin is already in `archive/`, and is listed once.
 *
 * Files are visited newest first by the timestamp in their names (notify names them
 * `<event>_<timestamp>.notify`), so a call reads only about as many files as it returns, however
 * large the archive: the folder listings are the only full pass.
 */
export async function listNotifications(dir: string, q: NotificationQuery): Promise<NotificationListing> {
  const [unread, archive] = await Promise.all([listFolder(dir, 'unread'), listFolder(dir, 'archive')]);
  const missingFolders = [unread === null ? 'unread' : null, archive === null ? 'archive' : null].filter(
    (f): f is 'unread' | 'archive' => f !== null,
  );
  const unreadSet = new Set(unread ?? []);
  const archivedOnly = (archive ?? []).filter((f) => !unreadSet.has(f));
  const candidates: Candidate[] = [];
  const add = (files: string[], state: NotificationState) => {
    for (const file of files)
      candidates.push({ file, state, nameTs: timestampFromFileName(file) ?? Number.POSITIVE_INFINITY });
  };
  if (q.state !== 'archived') add(unread ?? [], 'unread');
  if (q.state !== 'unread') add(archivedOnly, 'archived');
  candidates.sort((a, b) => b.nameTs - a.nameTs || (a.file < b.file ? 1 : -1));

  const entries: NotificationEntry[] = [];
  const skippedExamples: Array<{ file: string; reason: string }> = [];
  let skipped = 0;
  let read = 0;
  let i = 0;
  const subject = q.subject?.toLowerCase();
  const matches = (f: NotificationFields) =>
    (q.importance === undefined || f.importance === q.importance) &&
    (subject === undefined || f.subject.toLowerCase().includes(subject)) &&
    (q.since === undefined || f.timestamp >= q.since);
  /** Keeps the `limit` newest matches (and one more, so `more` can tell there are others). */
  const trim = () => {
    entries.sort((a, b) => b.timestamp - a.timestamp);
    entries.length = q.limit + 1;
  };
  /** The oldest timestamp among the `limit` newest matches so far, once there are that many. */
  let cutoffAt = -1;
  let cutoffTs = Number.NEGATIVE_INFINITY;
  const cutoff = () => {
    if (entries.length < q.limit) return Number.NEGATIVE_INFINITY;
    if (cutoffAt !== entries.length) {
      entries.sort((a, b) => b.timestamp - a.timestamp);
      cutoffTs = (entries[q.limit - 1] as NotificationEntry).timestamp;
      cutoffAt = entries.length;
    }
    return cutoffTs;
  };
  while (i < candidates.length && read < MAX_FILES_READ) {
    q.signal?.throwIfAborted();
    const next = candidates[i] as Candidate;
    // Names say when the rest were written: past the cutoff (or before `since`) nothing left can be listed.
    if (next.nameTs < cutoff() || (q.since !== undefined && next.nameTs < q.since)) break;
    // One slice: files newest first until the slice's time is up or nothing left can be listed.
    const sliceEnd = performance.now() + SLICE_MS;
    do {
      const c = candidates[i] as Candidate;
      if (c.nameTs < cutoff() || (q.since !== undefined && c.nameTs < q.since)) break;
      i++;
      read++;
      const p = readNotificationFile(join(dir, c.state === 'unread' ? 'unread' : 'archive', c.file));
      if (p === null) continue; // removed between the listing and the read
      if (!p.ok) {
        skipped++;
        if (skippedExamples.length < 5) skippedExamples.push({ file: c.file, reason: p.reason });
        continue;
      }
      if (matches(p.fields)) {
        entries.push({ file: c.file, state: c.state, ...p.fields });
        if (entries.length > q.limit * 4) trim();
      }
    } while (i < candidates.length && read < MAX_FILES_READ && performance.now() < sliceEnd);
    if (i < candidates.length) await new Promise<void>((r) => setImmediate(r));
  }
  entries.sort((a, b) => b.timestamp - a.timestamp || (a.file < b.file ? 1 : -1));
  // Files left unread could still match, unless they are all older than `since`.
  const unreadLeft =
    i < candidates.length && !(q.since !== undefined && (candidates[i] as Candidate).nameTs < q.since);
  return {
    entries: entries.slice(0, q.limit),
    totals: { unread: unreadSet.size, archived: archivedOnly.length },
    skipped,
    skippedExamples,
    more: entries.length > q.limit || unreadLeft,
    missingFolders,
  };
}

/** The `*.notify` names in `<dir>/<folder>`, or null when the folder does not exist. */
async function listFolder(dir: string, folder: 'unread' | 'archive'): Promise<string[] | null> {
  try {
    const names: string[] = [];
    for (const d of await readdir(join(dir, folder), { withFileTypes: true }))
      if (d.isFile() && d.name.endsWith('.notify')) names.push(d.name);
    return names;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR')
      throw new BackendUnavailableError(
        `The notification folder's ${folder}/ is not a folder; Unraid's notifications cannot be read.`,
      );
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        `The notification folder's ${folder}/ could not be read (permission denied) — unraid-mcp must run as root.`,
      );
    throw err;
  }
}

/** Reused for every first read (reads are synchronous, so one buffer serves them all). */
const firstBuf = Buffer.allocUnsafe(FIRST_READ);

/** At most MAX_NOTIFICATION_BYTES + 1 bytes of one file, parsed; null when it is gone. */
function readNotificationFile(path: string): ParsedNotification | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null;
    return { ok: false, reason: 'unreadable' };
  }
  try {
    // Most files fit the first read; a larger one is read on up to the limit (plus one byte, to tell).
    let buf = firstBuf;
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (buf.length > MAX_NOTIFICATION_BYTES) break;
        const bigger = Buffer.allocUnsafe(MAX_NOTIFICATION_BYTES + 1);
        buf.copy(bigger);
        buf = bigger;
      }
      const got = readSync(fd, buf, len, buf.length - len, len);
      if (got === 0) break;
      len += got;
    }
    return parseNotification(buf.subarray(0, len));
  } catch {
    return { ok: false, reason: 'unreadable' };
  } finally {
    closeSync(fd);
  }
}
