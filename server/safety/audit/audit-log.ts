import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, stat, truncate, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../../log.js';
import type { AdoptedFrom, AuditEntry, AuditEvent } from './audit-record.js';
import { AuditWriteError } from './audit-error.js';
import { CURRENT_FILE, listRotatedFiles, readFirstSeq, rotatedName, type AuditFile } from './audit-files.js';
import { scanTail, setAsideDebris } from './audit-recovery.js';
import { adoptFrom, finishJournal, type AdoptionResult, type AdoptionTarget } from './audit-relocation.js';
import { fsyncDir, secureDir } from './fs-util.js';
import { chainEntry, GENESIS, type ChainedLine, type ChainTail } from './hash-chain.js';
import type { AuditFilter } from './audit-filter.js';
import { exportJsonl, queryAudit, type AuditPage, type AuditQueryOptions } from './audit-query.js';
import { verifyAudit, type VerifyReport } from './audit-verify.js';

/** The part of a FileHandle the writer uses: lets a test inject one that fails like a full disk. */
export interface AuditFileHandle {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(len: number): Promise<void>;
  close(): Promise<void>;
}

export interface AuditLogOptions {
  dir: string;
  /** False when `dir` is in RAM (array stopped): reported by status(), decides what relocate() moves. */
  persistent: boolean;
  log: Logger;
  /** audit.jsonl is rotated before a write would take it past this size. Default 10 MiB. */
  maxFileBytes?: number;
  /** Rotated files kept besides audit.jsonl; older ones are deleted. Default 10. */
  keepFiles?: number;
  /** Non-durable appends are fsynced within this many ms. Default 1000. */
  fsyncIntervalMs?: number;
  now?: () => Date;
  /** Opens audit.jsonl for writing. Test seam; the default opens it O_WRONLY|O_CREAT, 0600. */
  openFile?: (path: string) => Promise<AuditFileHandle>;
}

/** Where an acknowledged record sits in the chain. */
export interface AuditReceipt {
  seq: number;
  hash: string;
}

/** What the admin API shows about the log. */
export interface AuditStatus {
  dir: string;
  persistent: boolean;
  open: boolean;
  /** Seq and hash of the last record written. */
  seq: number;
  lastHash: string;
  currentFileBytes: number;
  maxFileBytes: number;
  keepFiles: number;
  /** The last write failure, cleared by the next successful write. */
  lastError: string | null;
}

export interface RelocationReport {
  from: string;
  to: string;
  persistent: boolean;
  /** Records moved between the two directories (see audit-relocation.ts), null when nothing had to move. */
  moved: AdoptionResult | null;
}

interface Pending {
  entry: AuditEntry;
  durable: boolean;
  resolve: (r: AuditReceipt) => void;
  reject: (err: Error) => void;
}

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_KEEP_FILES = 10;

const openForAppend = async (path: string): Promise<AuditFileHandle> => {
  // Not O_APPEND: the writer writes at its own known end, so a failed write can be cut off exactly.
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
  await fh.chmod(0o600);
  return fh;
};

/**
 * The audit log: hash-chained JSON Lines (hash-chain.ts) with group commit, size rotation with
 * keep-N, crash recovery on open, and relocation between appdata and RAM.
 *
 * Group commit: records arriving while a write is in progress go out together in the next single
 * write(), and one fdatasync covers them. `durable` appends resolve only after that fsync (anything
 * that changes the server); the others resolve once the kernel has the bytes and are fsynced within
 * `fsyncIntervalMs`. Every file operation runs through one serial queue, so a batch, a rotation and
 * a relocation never interleave.
 *
 * Failure: a batch that cannot be written (disk full, I/O error) is rejected as a whole with an
 * AuditWriteError, and the file is cut back to where the batch began, so the chain on disk and in
 * memory stay where they were: no seq is used up, no half line is left for the next write to
 * follow. If even the cut fails, the next batch first reopens the directory through crash recovery.
 */
export class AuditLog {
  private dir: string;
  private persistent: boolean;
  private readonly maxFileBytes: number;
  private readonly keepFiles: number;
  private readonly now: () => Date;
  private readonly openFile: (path: string) => Promise<AuditFileHandle>;
  private fh: AuditFileHandle | null = null;
  /** Length of audit.jsonl: the end of its last complete record. */
  private size = 0;
  /** Seq of the first record in audit.jsonl (names it on rotation); null while it is empty. */
  private fileFirstSeq: number | null = null;
  private tail: ChainTail = { seq: 0, hash: GENESIS };
  private queue: Pending[] = [];
  private serial: Promise<unknown> = Promise.resolve();
  private flushScheduled = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private unsynced = false;
  private needsReopen = false;
  private closed = false;
  private lastError: string | null = null;
  private opened = false;
  private rotations = 0;
  /** Seq of the first record of the oldest rotated file kept by the last rotation. */
  private keptFromSeq = 0;

  constructor(private readonly opts: AuditLogOptions) {
    this.dir = opts.dir;
    this.persistent = opts.persistent;
    this.maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.keepFiles = opts.keepFiles ?? DEFAULT_KEEP_FILES;
    this.now = opts.now ?? (() => new Date());
    this.openFile = opts.openFile ?? openForAppend;
  }

  /** The directory currently written to (it changes on relocate). */
  get directory(): string {
    return this.dir;
  }

  get path(): string {
    return join(this.dir, CURRENT_FILE);
  }

  status(): AuditStatus {
    return {
      dir: this.dir,
      persistent: this.persistent,
      open: this.fh !== null && !this.closed,
      seq: this.tail.seq,
      lastHash: this.tail.hash,
      currentFileBytes: this.size,
      maxFileBytes: this.maxFileBytes,
      keepFiles: this.keepFiles,
      lastError: this.lastError,
    };
  }

  /**
   * Opens the directory (0700, files 0600), repairs a torn last line left by a crash (recorded as an
   * `audit.recovered` event), continues the chain from the last record on disk (reading only file
   * tails), and finishes a relocation a crash interrupted.
   */
  open(): Promise<void> {
    return this.exclusive(async () => {
      await this.openDir();
      try {
        await this.resumeJournal();
      } catch (err) {
        // The log itself is usable; the unfinished move stays journalled for a rerun of relocate().
        this.opts.log.error('audit log: could not finish an interrupted relocation', { err });
        await this.writeEntries([{ entry: this.systemEvent('audit.relocation-incomplete', { error: (err as Error).message }) }], true);
      }
    });
  }

  /**
   * Queues a record; resolves once it is written (and fsynced when `durable`) with its place in the
   * chain. Rejects with AuditWriteError when it cannot be written; the caller must then not act.
   */
  append(entry: AuditEntry, durable: boolean): Promise<AuditReceipt> {
    if (this.closed) return Promise.reject(new AuditWriteError('audit log is closed'));
    return new Promise((resolvePromise, reject) => {
      this.queue.push({ entry, durable, resolve: resolvePromise, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      // setImmediate: appends made in the same tick join this batch.
      setImmediate(() => void this.exclusive(() => this.flushQueue()));
    });
  }

  /** A page of records, newest first; see audit-query.ts. */
  query(filter: AuditFilter = {}, opts: AuditQueryOptions = {}): Promise<AuditPage> {
    return queryAudit(this.dir, filter, opts);
  }

  /** Matching records as JSON lines ("…\n"), oldest first, streamed. */
  exportJsonl(filter: AuditFilter = {}): AsyncGenerator<string> {
    return exportJsonl(this.dir, filter);
  }

  /**
   * Verifies the chain while the log keeps taking records: audit.jsonl is read only up to the last
   * completed write, and a run that a rotation overlapped is repeated once (a renamed file could
   * otherwise look like a gap).
   */
  async verify(): Promise<VerifyReport> {
    for (let attempt = 0; ; attempt++) {
      const rotations = this.rotations;
      const report = await verifyAudit(this.dir, { currentFileEnd: this.size });
      if (report.ok || rotations === this.rotations || attempt > 0) return report;
    }
  }

  /** Builds an `event` record for the sidecar's own housekeeping. */
  private systemEvent(event: string, details: Record<string, unknown>): AuditEvent {
    return { id: randomUUID(), time: this.now().toISOString(), stage: 'event', principal: 'system', event, details };
  }

  /**
   * Switches the log to `newDir` (array stopping: appdata → RAM; array started: RAM → appdata)
   * without losing or duplicating a record. Queued records are written first, then:
   * - into persistent storage (or between two RAM dirs): the new directory is opened and every
   *   record of the old one it lacks is copied over, fsynced, and only then deleted from the old one;
   * - out of persistent storage into RAM: records left in the RAM dir by an earlier interrupted move
   *   are first moved into the persistent dir, then the chain continues in the (empty) RAM dir.
   * Copies continue the destination's chain verbatim when they can; when the two directories hold
   * forked chains (the sidecar booted into RAM before the array came up), the records are re-chained
   * with an `adopted` marker naming their original place (audit-relocation.ts). A crash at any point
   * leaves a journal that open() or a rerun finishes. An `audit.relocated` event records the move.
   */
  relocate(newDir: string, persistent: boolean): Promise<RelocationReport> {
    return this.exclusive(() => this.relocateNow(newDir, persistent)).catch((err: unknown) => {
      throw AuditWriteError.from(err, newDir, 'cannot be used');
    });
  }

  private async relocateNow(newDir: string, persistent: boolean): Promise<RelocationReport> {
    await this.flushQueue();
    const from = this.dir;
    const fromPersistent = this.persistent;
    if (resolve(newDir) === resolve(from)) {
      this.persistent = persistent;
      const moved = await this.resumeJournal();
      return { from, to: newDir, persistent, moved };
    }
    let moved: AdoptionResult | null;
    if (fromPersistent && !persistent) {
      moved = await this.adoptInto(newDir);
      const tail = this.tail;
      await this.closeFile();
      await this.switchDir(newDir, persistent, from, fromPersistent, tail);
    } else {
      await this.closeFile();
      await this.switchDir(newDir, persistent, from, fromPersistent);
      moved = await this.adoptInto(from);
    }
    await this.writeEntries([{ entry: this.systemEvent('audit.relocated', { from, to: newDir, persistent, moved }) }], true);
    this.opts.log.info('audit log relocated', { from, to: newDir, persistent, moved: moved?.copied ?? 0 });
    return { from, to: newDir, persistent, moved };
  }

  /** Writes what is queued, fsyncs and closes. Later appends are rejected. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      await this.flushQueue();
      this.closed = true;
      await this.closeFile();
    });
  }

  // ---- internals; everything below runs inside exclusive() ----

  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.serial.then(op);
    this.serial = run.catch(() => {});
    return run;
  }

  /** Opens this.dir: recovery, chain tail, current file. `continueFrom` seeds the chain of an empty dir. */
  private async openDir(continueFrom?: ChainTail): Promise<void> {
    await secureDir(this.dir);
    const scan = await scanTail(this.dir);
    const recovered = scan.debrisBytes > 0 ? await setAsideDebris(this.dir, scan.validEnd, this.now()) : null;
    this.tail = scan.record || !continueFrom ? scan.tail : continueFrom;
    this.fh = await this.openFile(this.path);
    this.size = scan.validEnd;
    this.fileFirstSeq = this.size > 0 ? ((await readFirstSeq(this.path)) ?? this.tail.seq) : null;
    this.needsReopen = false;
    this.opened = true;
    if (recovered) {
      const details = {
        file: CURRENT_FILE,
        movedTo: recovered.movedTo,
        bytes: recovered.bytes,
        sha256: recovered.sha256,
        continuedFromSeq: this.tail.seq,
        reason: 'the last line was incomplete or not a record (a crash or power loss during a write); its bytes were set aside and the chain continues from the last complete record',
      };
      this.opts.log.warn('audit log: torn last line set aside', details);
      await this.writeEntries([{ entry: this.systemEvent('audit.recovered', details) }], true);
    }
  }

  private async switchDir(dir: string, persistent: boolean, oldDir: string, oldPersistent: boolean, continueFrom?: ChainTail): Promise<void> {
    this.dir = dir;
    this.persistent = persistent;
    try {
      await this.openDir(continueFrom);
      if (continueFrom && this.tail.seq !== continueFrom.seq) throw new AuditWriteError(`audit log in ${dir} still holds records that could not be moved away`);
    } catch (err) {
      await this.closeFile().catch(() => {});
      this.dir = oldDir;
      this.persistent = oldPersistent;
      await this.openDir();
      throw AuditWriteError.from(err, dir, 'cannot be used');
    }
  }

  private async resumeJournal(): Promise<AdoptionResult | null> {
    const moved = await finishJournal(this.adoptionTarget(), this.opts.log);
    if (moved) await this.writeEntries([{ entry: this.systemEvent('audit.relocation-resumed', { moved }) }], true);
    return moved;
  }

  private adoptInto(fromDir: string): Promise<AdoptionResult> {
    return adoptFrom(this.adoptionTarget(), fromDir);
  }

  private adoptionTarget(): AdoptionTarget {
    return {
      dir: this.dir,
      tail: () => this.tail,
      appendLines: (lines) => this.writeLines(lines, false),
      appendAdopted: (items) => this.writeEntries(items, false).then(() => {}),
      sync: () => this.syncNow(true),
    };
  }

  private async flushQueue(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    try {
      const results = await this.writeEntries(
        batch.map((p) => ({ entry: p.entry })),
        batch.some((p) => p.durable),
      );
      batch.forEach((p, i) => {
        const r = results[i] as AuditReceipt | Error;
        if (r instanceof Error) p.reject(r);
        else p.resolve(r);
      });
    } catch (err) {
      const error = AuditWriteError.from(err, this.dir);
      this.opts.log.error('audit write failed', { err: error, records: batch.length });
      for (const p of batch) p.reject(error);
    }
  }

  /**
   * Chains entries after the current tail and writes them as one batch. An entry that cannot be
   * serialised gets its own error and uses no seq; a write failure throws for the whole batch.
   */
  private async writeEntries(items: Array<{ entry: AuditEntry; adopted?: AdoptedFrom }>, durable: boolean): Promise<Array<AuditReceipt | Error>> {
    await this.ensureOpen();
    const results: Array<AuditReceipt | Error> = [];
    const lines: ChainedLine[] = [];
    let tail = this.tail;
    for (const item of items) {
      try {
        const line = chainEntry(item.entry, tail, item.adopted);
        lines.push(line);
        tail = line;
        results.push({ seq: line.seq, hash: line.hash });
      } catch (err) {
        results.push(new AuditWriteError(`audit record cannot be serialised: ${(err as Error).message}`));
      }
    }
    if (lines.length) await this.writeLines(lines, durable);
    return results;
  }

  /**
   * Appends already-chained lines (continuing this.tail), rotating first when they would take
   * audit.jsonl past its size limit. Rotated files beyond keep-N are deleted after an
   * `audit.rotated-away` event naming them is on disk.
   */
  private async writeLines(lines: ChainedLine[], durable: boolean): Promise<void> {
    await this.ensureOpen();
    const buf = Buffer.from(lines.map((l) => l.line + '\n').join(''), 'utf8');
    const excess = this.size > 0 && this.size + buf.length > this.maxFileBytes ? await this.rotate() : null;
    await this.writeBuffer(buf, durable && !excess?.length, lines);
    if (!excess?.length) return;
    const keptFromSeq = this.keptFromSeq;
    const event = chainEntry(
      this.systemEvent('audit.rotated-away', {
        deleted: excess.map((f) => f.name),
        keptFromSeq,
        keepFiles: this.keepFiles,
        note: `records before seq ${keptFromSeq} are no longer on disk (keep-${this.keepFiles} rotation)`,
      }),
      this.tail,
    );
    await this.writeBuffer(Buffer.from(event.line + '\n', 'utf8'), true, [event]);
    for (const f of excess) await unlink(f.path).catch((err: unknown) => this.opts.log.error('could not delete a rotated audit file', { file: f.name, err }));
    await fsyncDir(this.dir);
  }

  /** Renames audit.jsonl after its first seq and starts a new one; returns the rotated files over keep-N. */
  private async rotate(): Promise<AuditFile[]> {
    try {
      await this.closeFile();
      const firstSeq = this.fileFirstSeq ?? this.tail.seq;
      let dup = 0;
      while (await exists(join(this.dir, rotatedName(firstSeq, dup)))) dup++;
      await rename(this.path, join(this.dir, rotatedName(firstSeq, dup)));
      this.rotations++;
      this.size = 0;
      this.fileFirstSeq = null;
      this.fh = await this.openFile(this.path);
      await fsyncDir(this.dir);
    } catch (err) {
      this.needsReopen = true;
      throw err;
    }
    const rotated = await listRotatedFiles(this.dir);
    const drop = Math.max(0, rotated.length - this.keepFiles);
    this.keptFromSeq = rotated[drop]?.firstSeq ?? this.tail.seq + 1;
    return rotated.slice(0, drop);
  }

  /** Writes at the known end; on any failure cuts the file back so the failed bytes never count. */
  private async writeBuffer(buf: Buffer, durable: boolean, lines: ChainedLine[]): Promise<void> {
    const fh = this.fh as AuditFileHandle;
    const start = this.size;
    try {
      for (let off = 0; off < buf.length; ) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off, start + off);
        if (bytesWritten <= 0) throw new Error('the write made no progress');
        off += bytesWritten;
      }
      if (durable) await fh.datasync();
    } catch (err) {
      const error = AuditWriteError.from(err, this.dir);
      this.lastError = error.message;
      try {
        await fh.truncate(start);
      } catch (cutErr) {
        this.opts.log.error('audit log: could not cut back a failed write; will reopen before the next one', { err: cutErr });
        this.needsReopen = true;
      }
      throw error;
    }
    this.lastError = null;
    this.size += buf.length;
    this.fileFirstSeq ??= (lines[0] as ChainedLine).seq;
    const last = lines[lines.length - 1] as ChainedLine;
    this.tail = { seq: last.seq, hash: last.hash };
    if (durable) this.unsynced = false;
    else this.scheduleSync();
  }

  /** Before a write: the file must be open and exactly as long as its complete records. */
  private async ensureOpen(): Promise<void> {
    if (this.closed) throw new AuditWriteError('audit log is closed');
    if (this.fh && !this.needsReopen) return;
    if (!this.opened) throw new AuditWriteError('audit log is not open');
    // A failed write could not be cut back (or a rotation broke half-way): cut by path — only ever
    // shorter — then reopen through crash recovery, which finds the last complete record on disk.
    await this.closeFile().catch(() => {});
    const onDisk = await stat(this.path).then((s) => s.size, () => 0);
    if (onDisk > this.size) await truncate(this.path, this.size).catch(() => {});
    const expected = this.tail;
    await this.openDir();
    if (this.tail.seq !== expected.seq && expected.seq !== 0) {
      this.opts.log.warn('audit log reopened at a different seq than expected', { expected: expected.seq, found: this.tail.seq });
    }
  }

  private scheduleSync(): void {
    this.unsynced = true;
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.exclusive(() => this.syncNow(false)).catch((err: unknown) => this.opts.log.error('audit fsync failed', { err }));
    }, this.opts.fsyncIntervalMs ?? 1000);
    this.syncTimer.unref();
  }

  private async syncNow(force: boolean): Promise<void> {
    if (!this.fh || (!this.unsynced && !force)) return;
    this.unsynced = false;
    await this.fh.datasync();
  }

  private async closeFile(): Promise<void> {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    const fh = this.fh;
    this.fh = null;
    if (!fh) return;
    try {
      await fh.datasync();
      this.unsynced = false;
    } finally {
      await fh.close();
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
