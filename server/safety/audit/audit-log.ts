import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from '../../log.js';
import type { AdoptedFrom, AuditEntry, AuditEvent } from './audit-record.js';
import { AuditWriteError } from './audit-error.js';
import { adoptFrom, finishJournal, type AdoptionResult, type AdoptionTarget } from './audit-relocation.js';
import { ChainFile, type AuditFileHandle, type AuditIncidentKind } from './chain-file.js';
import { DEFAULT_LIMITS, realStatFs, type AuditLimits, type StatFs } from './audit-retention.js';
import { chainEntry, type ChainedLine, type ChainTail } from './hash-chain.js';
import type { AuditFilter } from './audit-filter.js';
import {
  exportBatches,
  exportJsonl,
  queryAudit,
  type AuditPage,
  type AuditQueryOptions,
  type ExportBatch,
} from './audit-query.js';
import { verifyAuditResumable, type VerifyCheckpoint, type VerifyReport } from './audit-verify.js';
import { locateRecord, type LocatedRecord } from './audit-lookup.js';

export type { AuditFileHandle, AuditIncidentKind } from './chain-file.js';
export type { AuditLimits } from './audit-retention.js';

export interface AuditLogOptions {
  dir: string;
  /** False when `dir` is in RAM (array stopped): reported by status(), decides what relocate() moves. */
  persistent: boolean;
  log: Logger;
  /** audit.jsonl is rotated before a write would take it past this size. Default 10 MiB. */
  maxFileBytes?: number;
  /**
   * Rotated files kept besides audit.jsonl; older ones are deleted — on persistent storage only
   * once older than the retention period (`limits`). Default 10.
   */
  keepFiles?: number;
  /**
   * Retention and the free-space floor (settings AUDIT_RETENTION_DAYS, AUDIT_MIN_FREE_MB), read at
   * each rotation; applied while the log is on persistent storage. Default 30 days, 256 MiB.
   */
  limits?: () => AuditLimits;
  /** Free space of the log's file system. Test seam; the default is statfs(2). */
  statfs?: StatFs;
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
  /** False when the owner must look: records are being refused, or an incident was found since start. */
  ok: boolean;
  /** Why records (and so tool calls) are refused now: writes fail, or free space is below the floor. */
  unavailable: { since: string; message: string; refusedRecords: number } | null;
  /**
   * What was done to the files behind the writer since the sidecar started (audit.jsonl moved,
   * replaced or cut; records cut from the start or end of the log), oldest first, at most 20.
   */
  incidents: Array<{ time: string; kind: AuditIncidentKind; message: string }>;
  retentionDays: number;
  minFreeBytes: number;
  /** Rotated files kept past keepFiles at the last rotation: younger than the retention period. */
  keptForRetention: number;
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
  // Read too: a file moved or replaced behind the writer is restored from this handle (live-file.ts).
  // O_NOFOLLOW: a symlink put in place of audit.jsonl is never written through.
  const fh = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  await fh.chmod(0o600);
  return fh;
};

/**
 * The audit log: hash-chained JSON Lines (hash-chain.ts) with group commit, size rotation with
 * keep-N and crash recovery (chain-file.ts), relocation between appdata and RAM
 * (audit-relocation.ts), and the query, export and verify the admin API serves.
 *
 * Group commit: records arriving while a write is in progress go out together in the next single
 * write(), and one fdatasync covers them. `durable` appends resolve only after that fsync (anything
 * that changes the server); the others resolve once the kernel has the bytes and are fsynced within
 * `fsyncIntervalMs`. Every file operation runs through one serial queue, so a batch, a rotation and
 * a relocation never interleave. A batch that cannot be written is rejected as a whole with an
 * AuditWriteError and leaves the chain where it was.
 */
export class AuditLog {
  private persistent: boolean;
  private file: ChainFile;
  private readonly now: () => Date;
  private queue: Pending[] = [];
  private serial: Promise<unknown> = Promise.resolve();
  private flushScheduled = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private opened = false;
  private closed = false;
  /** Set by the first batch that could not be written, cleared (and recorded) by the next that is. */
  private outage: { since: Date; message: string; refusedRecords: number } | null = null;
  private incidents: AuditStatus['incidents'] = [];
  /** Where the last intact verify ended; the next one resumes there if the files before are unchanged. */
  private verified: VerifyCheckpoint | null = null;
  /** The verify in progress: a second request waits for it, then resumes from where it ended. */
  private verifying: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: AuditLogOptions) {
    this.persistent = opts.persistent;
    this.now = opts.now ?? (() => new Date());
    this.file = this.chainFile(opts.dir);
  }

  /** The directory currently written to (it changes on relocate). */
  get directory(): string {
    return this.file.dir;
  }

  get path(): string {
    return this.file.path;
  }

  status(): AuditStatus {
    const open = this.file.isOpen && !this.closed;
    const limits = this.limits();
    const unavailable = this.outage
      ? {
          since: this.outage.since.toISOString(),
          message: this.outage.message,
          refusedRecords: this.outage.refusedRecords,
        }
      : null;
    return {
      dir: this.file.dir,
      persistent: this.persistent,
      open,
      seq: this.file.tail.seq,
      lastHash: this.file.tail.hash,
      currentFileBytes: this.file.size,
      maxFileBytes: this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      keepFiles: this.opts.keepFiles ?? DEFAULT_KEEP_FILES,
      lastError: this.file.lastError,
      ok: open && !unavailable && this.incidents.length === 0,
      unavailable,
      incidents: [...this.incidents],
      retentionDays: limits.retentionMs / 86_400_000,
      minFreeBytes: limits.minFreeBytes,
      keptForRetention: this.file.keptForRetention,
    };
  }

  /**
   * For readiness and the status page: compares audit.jsonl with the file being written (so a moved
   * or replaced file is found without waiting for the next call) and, while records are refused,
   * tries again (a freed disk or a lowered floor ends the refusal here, recorded as
   * `audit.writes-resumed`). Resolves with why records are refused, or null when they are taken.
   */
  async check(): Promise<string | null> {
    if (this.closed) return 'the audit log is closed';
    if (!this.opened) return 'the audit log is not open';
    let error: string | null = null;
    await this.exclusive(async () => {
      await this.file.checkLiveFile();
      if (!this.outage) return;
      await this.file.prepare();
      await this.noteResumed();
    }).catch((err: unknown) => {
      error = AuditWriteError.from(err, this.file.dir).message;
    });
    return this.outage?.message ?? error;
  }

  /**
   * Opens the directory (0700, files 0600), repairs a torn last line left by a crash (recorded as an
   * `audit.recovered` event), continues the chain from the last record on disk (reading only file
   * tails), and finishes a relocation a crash interrupted.
   */
  open(): Promise<void> {
    return this.exclusive(async () => {
      await this.file.open({ create: true });
      this.opened = true;
      try {
        await this.resumeJournal();
      } catch (err) {
        // The log itself is usable; the unfinished move stays journalled for a rerun of relocate().
        this.opts.log.error('audit log: could not finish an interrupted relocation', { err });
        await this.writeEntries(
          [{ entry: this.systemEvent('audit.relocation-incomplete', { error: (err as Error).message }) }],
          true,
        );
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
    return queryAudit(this.file.dir, filter, opts);
  }

  /** Matching records as JSON lines ("…\n"), oldest first, streamed. */
  exportJsonl(filter: AuditFilter = {}): AsyncGenerator<string> {
    return exportJsonl(this.file.dir, filter);
  }

  /** Matching records, oldest first, a chunk's worth at a time (for the HTTP export). */
  exportBatches(filter: AuditFilter = {}): AsyncGenerator<ExportBatch> {
    return exportBatches(this.file.dir, filter);
  }

  /** One record by its seq, with the file and offset it is stored at; null when the log does not hold it. */
  record(seq: number): Promise<LocatedRecord | null> {
    return locateRecord(this.file.dir, seq);
  }

  /**
   * Verifies the chain while the log keeps taking records: audit.jsonl is read only up to the last
   * completed write, and a run that a rotation overlapped is repeated once (a renamed file could
   * otherwise look like a gap). A run resumes where the last intact one ended, unless `full` or a
   * file before that point changed (verify-audit.ts, resumePoint); runs never overlap.
   */
  verify(opts: { full?: boolean } = {}): Promise<VerifyReport> {
    const run = this.verifying.then(() => this.verifyNow(opts.full ?? false));
    this.verifying = run.catch(() => {});
    return run;
  }

  private async verifyNow(full: boolean): Promise<VerifyReport> {
    // First what was done to audit.jsonl behind the writer, so it is recorded and then reported.
    if (this.opened && !this.closed)
      await this.exclusive(() => this.file.checkLiveFile()).catch((err: unknown) =>
        this.opts.log.error('audit log: could not check audit.jsonl before verifying', { err }),
      );
    for (let attempt = 0; ; attempt++) {
      const file = this.file;
      const rotations = file.rotations;
      // Read together: the file's completed end and the last seq in it. A log that ends earlier was cut.
      const { report, checkpoint } = await verifyAuditResumable(file.dir, {
        currentFileEnd: file.size,
        writtenUpTo: this.closed ? undefined : file.tail.seq,
        resume: full || attempt > 0 ? null : this.verified,
      });
      const settled = file === this.file && rotations === file.rotations;
      if (settled) this.verified = checkpoint;
      if (report.ok || settled || attempt > 0) return report;
    }
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
   * The old directory's files are closed afterwards, so the array can unmount it.
   */
  relocate(newDir: string, persistent: boolean): Promise<RelocationReport> {
    return this.exclusive(() => this.relocateNow(newDir, persistent)).catch((err: unknown) => {
      throw AuditWriteError.from(err, newDir, 'cannot be used');
    });
  }

  /**
   * Moves records left in another directory into the current one, as relocate() does, without
   * switching: for a sidecar that restarts straight into appdata while the RAM directory still holds
   * records from before (call it at startup with the RAM directory). Nothing to move: no record.
   */
  adopt(dir: string): Promise<AdoptionResult> {
    return this.exclusive(async () => {
      await this.flushQueue();
      const moved = await adoptFrom(this.adoptionTarget(), dir);
      if (moved.mode !== 'nothing')
        await this.writeEntries([{ entry: this.systemEvent('audit.adopted', { from: dir, moved }) }], true);
      return moved;
    }).catch((err: unknown) => {
      throw AuditWriteError.from(err, dir, 'cannot be moved');
    });
  }

  /** Writes what is queued, fsyncs and closes. Later appends are rejected. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      await this.flushQueue();
      this.closed = true;
      this.clearSyncTimer();
      await this.file.close();
    });
  }

  // ---- internals; everything below runs inside exclusive() ----

  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.serial.then(op);
    this.serial = run.catch(() => {});
    return run;
  }

  private limits(): AuditLimits {
    return this.opts.limits?.() ?? DEFAULT_LIMITS;
  }

  private chainFile(dir: string): ChainFile {
    return new ChainFile(dir, {
      maxFileBytes: this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      keepFiles: this.opts.keepFiles ?? DEFAULT_KEEP_FILES,
      log: this.opts.log,
      openFile: this.opts.openFile ?? openForAppend,
      event: (name, details) => this.systemEvent(name, details),
      policy: () => ({ persistent: this.persistent, ...this.limits() }),
      statfs: this.opts.statfs ?? realStatFs,
      now: this.now,
      onIncident: (kind, message) => {
        this.incidents.push({ time: this.now().toISOString(), kind, message });
        if (this.incidents.length > 20) this.incidents.shift();
      },
    });
  }

  /** After records were refused, the first record that can be written again is this summary of the outage. */
  private async noteResumed(): Promise<void> {
    const o = this.outage;
    if (!o) return;
    const until = this.now().toISOString();
    await this.file.writeEvent('audit.writes-resumed', {
      since: o.since.toISOString(),
      until,
      error: o.message,
      refusedRecords: o.refusedRecords,
      note: `the audit log refused ${o.refusedRecords} record(s) from ${o.since.toISOString()} to ${until} (${o.message}); a tool call whose intent was refused did not run`,
    });
    this.outage = null;
  }

  /** Builds an `event` record for the sidecar's own housekeeping. */
  private systemEvent(event: string, details: Record<string, unknown>): AuditEvent {
    return {
      id: randomUUID(),
      time: this.now().toISOString(),
      stage: 'event',
      principal: 'system',
      event,
      details,
    };
  }

  private async relocateNow(newDir: string, persistent: boolean): Promise<RelocationReport> {
    await this.flushQueue();
    const from = this.file.dir;
    const fromPersistent = this.persistent;
    if (resolve(newDir) === resolve(from)) {
      this.persistent = persistent;
      const moved = await this.resumeJournal();
      return { from, to: newDir, persistent, moved };
    }
    let moved: AdoptionResult | null;
    if (fromPersistent && !persistent) {
      moved = await adoptFrom(this.adoptionTarget(), newDir);
      await this.switchTo(newDir, this.file.tail);
    } else {
      await this.switchTo(newDir);
      moved = await adoptFrom(this.adoptionTarget(), from);
    }
    this.persistent = persistent;
    await this.writeEntries(
      [{ entry: this.systemEvent('audit.relocated', { from, to: newDir, persistent, moved }) }],
      true,
    );
    this.opts.log.info('audit log relocated', { from, to: newDir, persistent, moved: moved?.copied ?? 0 });
    return { from, to: newDir, persistent, moved };
  }

  /** Closes the current directory and opens `dir`; on failure reopens the old one and rethrows. */
  private async switchTo(dir: string, continueFrom?: ChainTail): Promise<void> {
    const old = this.file;
    this.clearSyncTimer();
    await old.close();
    const next = this.chainFile(dir);
    try {
      await next.open({ create: true, continueFrom });
      if (continueFrom && next.tail.seq !== continueFrom.seq)
        throw new AuditWriteError(`audit log in ${dir} still holds records that could not be moved away`);
    } catch (err) {
      await next.close().catch(() => {});
      this.file = this.chainFile(old.dir);
      await this.file.open({ create: false });
      throw err;
    }
    this.file = next;
  }

  private async resumeJournal(): Promise<AdoptionResult | null> {
    const moved = await finishJournal(this.adoptionTarget(), this.opts.log);
    if (moved)
      await this.writeEntries([{ entry: this.systemEvent('audit.relocation-resumed', { moved }) }], true);
    return moved;
  }

  private adoptionTarget(): AdoptionTarget {
    return {
      dir: this.file.dir,
      tail: () => this.file.tail,
      appendLines: (lines) => this.writeLines(lines, false),
      appendAdopted: (items) => this.writeEntries(items, false).then(() => {}),
      sync: () => this.file.sync(true),
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
      const error = AuditWriteError.from(err, this.file.dir);
      this.opts.log.error('audit write failed', { err: error, records: batch.length });
      this.outage ??= { since: this.now(), message: error.message, refusedRecords: 0 };
      this.outage.message = error.message;
      this.outage.refusedRecords += batch.length;
      this.file.lastError = error.message;
      for (const p of batch) p.reject(error);
    }
  }

  /**
   * Chains entries after the current tail and writes them as one batch. An entry that cannot be
   * serialised gets its own error and uses no seq; a write failure throws for the whole batch.
   * The file is checked first (ChainFile.prepare), and the chain continues after any event that
   * check recorded.
   */
  private async writeEntries(
    items: Array<{ entry: AuditEntry; adopted?: AdoptedFrom }>,
    durable: boolean,
  ): Promise<Array<AuditReceipt | Error>> {
    this.assertWritable();
    await this.file.prepare();
    await this.noteResumed();
    const results: Array<AuditReceipt | Error> = [];
    const lines: ChainedLine[] = [];
    let tail = this.file.tail;
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
    if (lines.length) await this.writeChained(lines, durable);
    return results;
  }

  /** Lines chained elsewhere (a verbatim copy during relocation); ChainFile refuses them if they do not continue the tail. */
  private async writeLines(lines: ChainedLine[], durable: boolean): Promise<void> {
    this.assertWritable();
    await this.file.prepare();
    await this.writeChained(lines, durable);
  }

  private async writeChained(lines: ChainedLine[], durable: boolean): Promise<void> {
    await this.file.writeLines(lines, durable);
    if (this.file.unsynced) this.scheduleSync();
  }

  private assertWritable(): void {
    if (this.closed) throw new AuditWriteError('audit log is closed');
    if (!this.opened) throw new AuditWriteError('audit log is not open');
  }

  private scheduleSync(): void {
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.exclusive(() => this.file.sync()).catch((err: unknown) =>
        this.opts.log.error('audit fsync failed', { err }),
      );
    }, this.opts.fsyncIntervalMs ?? 1000);
    this.syncTimer.unref();
  }

  private clearSyncTimer(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }
}
