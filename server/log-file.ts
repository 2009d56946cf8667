import {
  closeSync,
  fstatSync,
  ftruncateSync,
  openSync,
  renameSync,
  statSync,
  truncateSync,
  writeSync,
  constants,
} from 'node:fs';

/**
 * The log's own file, for a service whose /var/log is a small tmpfs (Unraid): lines are appended
 * with one write each; when the next line would take the file past `maxBytes` it is renamed to
 * FILE.1 (replacing the older one) and a new file started, so the log never holds more than about
 * twice `maxBytes`.
 *
 * Logging never stops or slows the service: a write that fails (disk full, file not writable, folder
 * gone) drops the line and counts it, and the next line tries again. The first line written after
 * drops is a note saying how many were dropped, since when, and why. A line cut short by a full disk
 * is cut off again, so the file holds whole lines only. Writes are synchronous on purpose: a line is
 * on disk before the process can die, and a local tmpfs write takes microseconds.
 *
 * A file moved or deleted behind the writer (an outside logrotate, the owner) is noticed within a
 * second and a new one opened at `path`, instead of writing on into a file no one can see.
 */
export interface LogFileSink {
  write(line: string): void;
  /** Lines dropped since the last successful write (0 when none are outstanding). */
  readonly dropped: number;
  close(): void;
}

const REOPEN_CHECK_MS = 1000;

export function openLogFile(path: string, maxBytes: number, now: () => number = Date.now): LogFileSink {
  let fd: number | null = null;
  let ino = 0;
  let checkedAt = 0;
  let dropped = 0;
  let dropSince = 0;
  let dropReason = '';

  const close = () => {
    if (fd === null) return;
    try {
      closeSync(fd);
    } catch {
      // already gone
    }
    fd = null;
  };
  const open = () => {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    ino = fstatSync(fd).ino;
    checkedAt = now();
  };
  /** Reopens when the file at `path` is no longer the one being written. */
  const checkReplaced = () => {
    if (fd === null || now() - checkedAt < REOPEN_CHECK_MS) return;
    checkedAt = now();
    let current: number | null = null;
    try {
      current = statSync(path).ino;
    } catch {
      current = null;
    }
    if (current !== ino) close();
  };
  const rotate = () => {
    close();
    try {
      renameSync(path, `${path}.1`);
    } catch {
      // No older file can be kept (e.g. the folder is read-only): start this one over, so the log
      // stays within its bound rather than growing.
      truncateSync(path, 0);
    }
    open();
  };
  /**
   * Writes `text` whole or not at all (a short write is cut off again); throws on failure. The size
   * is read from the file each time: others append to it too (the rc script sends the process's own
   * output there), and a cut-back must never reach into their lines.
   */
  const append = (text: string) => {
    if (fd === null) open();
    const bytes = Buffer.from(text, 'utf8');
    let before = fstatSync(fd as number).size;
    if (before > 0 && before + bytes.length > maxBytes) {
      rotate();
      before = fstatSync(fd as number).size;
    }
    let written: number;
    try {
      written = writeSync(fd as number, bytes);
    } catch (err) {
      cutBack(before);
      throw err;
    }
    if (written < bytes.length) {
      cutBack(before);
      const err = new Error('short write (disk full)') as NodeJS.ErrnoException;
      err.code = 'ENOSPC';
      throw err;
    }
  };
  /** Back to the size before the failed write: a partly written line is taken out again. */
  const cutBack = (size: number) => {
    if (fd === null) return;
    try {
      ftruncateSync(fd, size);
    } catch {
      // the next open starts from the file's real size
      close();
    }
  };

  return {
    write(line: string) {
      try {
        checkReplaced();
        if (dropped > 0) {
          const note = JSON.stringify({
            time: new Date(now()).toISOString(),
            level: 'warn',
            msg: 'log lines were dropped: the log file could not be written',
            dropped,
            since: new Date(dropSince).toISOString(),
            error: dropReason,
          });
          append(note + '\n');
          dropped = 0;
        }
        append(line);
      } catch (err) {
        if (dropped === 0) {
          dropSince = now();
          const e = err as NodeJS.ErrnoException;
          dropReason = e.code ?? e.message;
        }
        dropped++;
      }
    },
    get dropped() {
      return dropped;
    },
    close,
  };
}
