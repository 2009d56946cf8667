import { lstat, rename, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { AuditEvent } from './audit-record.js';
import { AuditWriteError } from './audit-error.js';
import {
  CURRENT_FILE,
  listAuditFiles,
  listRotatedFiles,
  readFirstRecord,
  readFirstSeq,
  rotatedName,
  type AuditFile,
  type RecordRef,
} from './audit-files.js';
import { readAnchor, removeAnchor, writeAnchor, type AuditAnchor } from './audit-anchor.js';
import { fileStamp, scanTail, setAsideDebris } from './audit-recovery.js';
import { expiredFiles, freeBytes, mib, type RetentionPolicy, type StatFs } from './audit-retention.js';
import {
  copyOpenFile,
  findByIdentity,
  inspectLiveFile,
  type FileIdentity,
  type LiveFileFinding,
} from './live-file.js';
import { fsyncDir, secureDir } from './fs-util.js';
import { chainEntry, GENESIS, tryParse, type ChainedLine, type ChainTail } from './hash-chain.js';

/** The part of a FileHandle the writer uses: lets a test inject one that fails like a full disk. */
export interface AuditFileHandle {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** Reads back what was written (the live-file check restores a moved or replaced file from it). */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ dev: number; ino: number }>;
  datasync(): Promise<void>;
  truncate(len: number): Promise<void>;
  close(): Promise<void>;
}

/** Something the owner must hear of; recorded in the chain as an event and shown in the status. */
export type AuditIncidentKind = 'file-replaced' | 'head-cut' | 'tail-cut' | 'anchor-unreadable';

export interface ChainFileOptions {
  maxFileBytes: number;
  keepFiles: number;
  log: Logger;
  openFile: (path: string) => Promise<AuditFileHandle>;
  /** Builds the log's own housekeeping events (recovery, rotation). */
  event: (name: string, details: Record<string, unknown>) => AuditEvent;
  /** Retention and the free-space floor, read at each rotation (settings may change). */
  policy: () => RetentionPolicy;
  statfs: StatFs;
  now: () => Date;
  onIncident: (kind: AuditIncidentKind, message: string) => void;
}

/**
 * The chain on disk in one directory: audit.jsonl being appended at a known end, the rotated files
 * behind it, the anchor beside them (audit-anchor.ts), and where the chain stands (seq and hash of
 * the last record written).
 *
 * Writes go to the known end of the file (not O_APPEND), so a write that fails part-way — a full
 * disk returns a short write, then ENOSPC — is cut back to exactly where it began: the failed
 * batch uses no seq and leaves no half line for the next write to follow. If even the cut fails,
 * the next write first reopens the directory through crash recovery.
 *
 * Before each batch (prepare) the path is compared with the open file (live-file.ts): a file moved
 * away, deleted or replaced is restored from the open handle as a rotated file and a fresh
 * audit.jsonl continues the chain; a file cut or appended to is set straight; either way an
 * `audit.file-replaced` event says what was found.
 */
export class ChainFile {
  tail: ChainTail = { seq: 0, hash: GENESIS };
  /** Length of audit.jsonl: the end of its last complete record. */
  size = 0;
  /** Bytes written since the last fsync. */
  unsynced = false;
  /** Bumped whenever audit.jsonl is renamed or replaced (rotation, live-file repair). */
  rotations = 0;
  /** The last write failure, cleared by the next successful write. */
  lastError: string | null = null;
  /** Rotated files kept beyond keep-N at the last rotation because they are younger than the retention period. */
  keptForRetention = 0;
  private fh: AuditFileHandle | null = null;
  private identity: FileIdentity | null = null;
  /** Seq of the first record in audit.jsonl (names it on rotation); null while it is empty. */
  private fileFirstSeq: number | null = null;
  private needsReopen = false;
  private anchor: AuditAnchor | null = null;
  /** The directory held no record at open: the first record written creates the anchor. */
  private anchorOnFirstWrite = false;
  /** Set when rotation found free space below the floor; every batch is refused until it is back. */
  private spaceLow: { freeBytes: number; floorBytes: number } | null = null;

  constructor(
    readonly dir: string,
    private readonly opts: ChainFileOptions,
  ) {}

  get path(): string {
    return join(this.dir, CURRENT_FILE);
  }

  get isOpen(): boolean {
    return this.fh !== null;
  }

  /**
   * Opens the directory (created 0700 when `create`; files tightened to 0600), sets aside a torn
   * last line left by a crash — recorded as an `audit.recovered` event — and continues the chain
   * from the last record on disk, reading only file tails. An empty directory continues
   * `continueFrom` when given (relocation), else starts at genesis. Then compares the files with
   * the anchor: records missing at the start or end while the sidecar was not running are recorded
   * (`audit.head-cut`, `audit.tail-cut`), and the chain continues after the last seq the anchor
   * knows, so the gap stays visible to verify instead of its seqs being reused.
   */
  async open(opts: { create: boolean; continueFrom?: ChainTail }): Promise<void> {
    await secureDir(this.dir, opts.create);
    const scan = await scanTail(this.dir);
    const recovered =
      scan.debrisBytes > 0 ? await setAsideDebris(this.dir, scan.validEnd, this.opts.now()) : null;
    const movedIn = !scan.record && opts.continueFrom !== undefined;
    let anchorRead = await readAnchor(this.dir);
    if (movedIn && anchorRead.state !== 'none') {
      // Relocation emptied this directory earlier: its anchor describes records that now live elsewhere.
      await removeAnchor(this.dir);
      anchorRead = { state: 'none' };
    }
    const anchor = anchorRead.state === 'ok' ? anchorRead.anchor : null;
    this.tail = scan.record || !opts.continueFrom ? scan.tail : opts.continueFrom;
    const onDisk = this.tail;
    if (anchor && anchor.last.seq > onDisk.seq) this.tail = { ...anchor.last };
    this.fh = await this.opts.openFile(this.path);
    this.identity = await this.fh.stat();
    this.size = scan.validEnd;
    this.fileFirstSeq = this.size > 0 ? ((await readFirstSeq(this.path)) ?? this.tail.seq) : null;
    this.needsReopen = false;
    this.anchor = anchor;
    // Not after a tail cut that left no file: the first record written then must not become the start.
    this.anchorOnFirstWrite = !scan.record && !anchor;
    if (recovered) {
      const details = {
        file: CURRENT_FILE,
        movedTo: recovered.movedTo,
        bytes: recovered.bytes,
        sha256: recovered.sha256,
        continuedFromSeq: this.tail.seq,
        reason:
          'the last line was incomplete or not a record (a crash or power loss during a write); its bytes were set aside and the chain continues from the last complete record',
      };
      this.opts.log.warn('audit log: torn last line set aside', details);
      await this.writeEvent('audit.recovered', details);
    }
    if (anchorRead.state === 'unreadable') {
      const note = `audit.anchor.json could not be read (${anchorRead.problem}): it was recreated from the files on disk, so a cut at the start of the log before now cannot be told from rotation`;
      await this.incident('anchor-unreadable', 'audit.anchor-unreadable', {
        problem: anchorRead.problem,
        note,
      });
    }
    if (!anchor && scan.record) await this.recreateAnchor(anchorRead.state === 'none');
    if (anchor) await this.compareWithAnchor(anchor, onDisk);
  }

  /**
   * Before a batch: reopens after a failed write, refuses while free space is below the floor, and
   * checks that audit.jsonl is still the file being written (see the class comment).
   */
  async prepare(): Promise<void> {
    await this.ensureWritable();
    if (this.spaceLow) await this.recheckSpace();
    await this.checkLiveFile();
  }

  /** Compares the path with the open file and repairs what was done to it (one lstat when all is well). */
  async checkLiveFile(): Promise<void> {
    if (!this.fh || !this.identity || this.needsReopen) return;
    const finding = await inspectLiveFile(this.path, this.identity, this.size);
    if (!finding) return;
    const details = await this.repair(finding, this.identity);
    this.opts.log.error('audit log: audit.jsonl was changed behind the writer', details);
    await this.incident('file-replaced', 'audit.file-replaced', details);
  }

  /**
   * Appends lines that continue `tail`, as one write, rotating first when they would take
   * audit.jsonl past its size limit. Rotated files beyond keep-N are deleted only after an
   * `audit.rotated-away` event naming them is on disk, and on persistent storage only once they
   * are older than the retention period; there, rotation first checks the free-space floor.
   */
  async writeLines(lines: ChainedLine[], durable: boolean): Promise<void> {
    const first = lines[0];
    // An empty directory takes any start: a verbatim copy may begin mid-chain (relocation).
    if (first && this.tail.seq !== 0 && first.seq !== this.tail.seq + 1)
      throw new AuditWriteError(
        `audit records for seq ${first.seq} do not continue the chain at seq ${this.tail.seq}; nothing was written`,
      );
    const buf = Buffer.from(lines.map((l) => l.line + '\n').join(''), 'utf8');
    const rotate = this.size > 0 && this.size + buf.length > this.opts.maxFileBytes;
    if (rotate) await this.checkFloor();
    const rotation = rotate ? await this.rotate() : null;
    // After a rotation the anchor is written, and it may only name fsynced records: fsync below.
    await this.writeBuffer(buf, durable && !rotation, lines);
    if (!rotation) return;
    const { excess, keptFrom } = rotation;
    if (excess.length) {
      const keptFromSeq = keptFrom?.seq ?? this.tail.seq + 1;
      const keep = this.opts.keepFiles;
      const { persistent, retentionMs } = this.opts.policy();
      await this.writeEvent('audit.rotated-away', {
        deleted: excess.map((f) => f.name),
        keptFromSeq,
        keepFiles: keep,
        ...(persistent ? { retentionDays: retentionMs / 86_400_000 } : {}),
        note: `records before seq ${keptFromSeq} are no longer on disk (keep-${keep} rotation${persistent ? `; the deleted files were older than the ${retentionMs / 86_400_000}-day retention period` : ', in RAM'})`,
      });
      // The anchor moves first: a crash before the deletes leaves older files than it names, never fewer.
      await this.saveAnchor('rotated', keptFrom ?? undefined);
      for (const f of excess)
        await unlink(f.path).catch((err: unknown) =>
          this.opts.log.error('could not delete a rotated audit file', { file: f.name, err }),
        );
      await fsyncDir(this.dir);
    } else {
      await this.sync();
      await this.saveAnchor('rotated');
    }
  }

  /** Records one of the log's own events (durable). */
  async writeEvent(name: string, details: Record<string, unknown>): Promise<void> {
    const line = chainEntry(this.opts.event(name, details), this.tail);
    await this.writeBuffer(Buffer.from(line.line + '\n', 'utf8'), true, [line]);
  }

  /** fsyncs if anything is unsynced (or always, with `force`). */
  async sync(force = false): Promise<void> {
    if (!this.fh || (!this.unsynced && !force)) return;
    this.unsynced = false;
    await this.fh.datasync();
  }

  /** fsyncs and closes audit.jsonl, then notes the last seq in the anchor for a verify without the sidecar. */
  async close(): Promise<void> {
    const wasOpen = this.fh !== null;
    await this.closeFile();
    if (wasOpen && this.anchor && this.anchor.last.seq !== this.tail.seq) await this.saveAnchor('closed');
  }

  private async closeFile(): Promise<void> {
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

  private async incident(
    kind: AuditIncidentKind,
    event: string,
    details: Record<string, unknown> & { note: string },
  ): Promise<void> {
    this.opts.onIncident(kind, details.note);
    await this.writeEvent(event, details);
  }

  // ---- the anchor ----

  /** Writes the anchor; a failure is logged, not thrown: the records are safe, only this check is weaker. */
  private async saveAnchor(reason: string, first?: RecordRef, headCutReported?: string): Promise<void> {
    const start = first ?? this.anchor?.first;
    if (!start) return;
    const reported = headCutReported ?? (first ? undefined : this.anchor?.headCutReported);
    const anchor: AuditAnchor = {
      version: 1,
      first: { seq: start.seq, hash: start.hash, prev: start.prev },
      last: { ...this.tail },
      updated: this.opts.now().toISOString(),
      reason,
      ...(reported ? { headCutReported: reported } : {}),
    };
    try {
      await writeAnchor(this.dir, anchor);
      this.anchor = anchor;
    } catch (err) {
      this.opts.log.error('audit log: could not write audit.anchor.json', { err });
    }
  }

  /** No usable anchor beside existing records (first start of this version, or it was removed). */
  private async recreateAnchor(missing: boolean): Promise<void> {
    const oldest = (await listAuditFiles(this.dir))[0];
    const first = oldest ? await readFirstRecord(oldest.path) : null;
    if (!first) return;
    await this.saveAnchor('recreated', first);
    if (missing)
      await this.writeEvent('audit.anchor-created', {
        firstSeq: first.seq,
        lastSeq: this.tail.seq,
        note: `no audit.anchor.json was found (first start of a version that keeps one, or it was deleted): the log is taken to start at seq ${first.seq}`,
      });
  }

  /** Records cuts made while the sidecar was not running: the anchor knows more than the disk holds. */
  private async compareWithAnchor(anchor: AuditAnchor, onDisk: ChainTail): Promise<void> {
    const oldest = (await listAuditFiles(this.dir))[0];
    const first = oldest ? await readFirstRecord(oldest.path) : null;
    if (
      first &&
      (first.seq > anchor.first.seq || (first.seq === anchor.first.seq && first.hash !== anchor.first.hash))
    ) {
      const lost = first.seq - anchor.first.seq;
      const note =
        lost > 0
          ? `the log starts at seq ${first.seq}, but audit.anchor.json says it starts at seq ${anchor.first.seq}: ${lost} record(s) were deleted from its start while the sidecar was not running`
          : `the first record (seq ${first.seq}) is not the one audit.anchor.json names: the start of the log was replaced while the sidecar was not running`;
      // The anchor keeps naming the real start (verify reports the cut until rotation moves past
      // it); the event is written once, the status shows it after every start.
      if (anchor.headCutReported === first.hash) this.opts.onIncident('head-cut', note);
      else {
        await this.incident('head-cut', 'audit.head-cut', {
          file: oldest?.name,
          anchorFirstSeq: anchor.first.seq,
          firstSeqOnDisk: first.seq,
          note,
        });
        await this.saveAnchor('head-cut-reported', undefined, first.hash);
      }
    }
    if (anchor.last.seq > onDisk.seq) {
      const lost = anchor.last.seq - onDisk.seq;
      await this.incident('tail-cut', 'audit.tail-cut', {
        anchorLastSeq: anchor.last.seq,
        lastSeqOnDisk: onDisk.seq,
        lostRecords: lost,
        note: `the log ends at seq ${onDisk.seq}, but audit.anchor.json says it reached seq ${anchor.last.seq}: ${lost} record(s) were deleted from its end while the sidecar was not running; the chain continues after seq ${anchor.last.seq}, so verify shows the gap`,
      });
    }
  }

  // ---- the live file ----

  private async repair(
    finding: LiveFileFinding,
    id: FileIdentity,
  ): Promise<Record<string, unknown> & { note: string }> {
    const expectedBytes = this.size;
    const lastSeq = this.tail.seq;
    const base = { found: finding.found, file: CURRENT_FILE, expectedBytes, lastSeq };
    if (finding.found === 'longer') {
      const aside = await setAsideDebris(this.dir, this.size, this.opts.now(), 'appended');
      const bytes = finding.size - expectedBytes;
      return {
        ...base,
        foundBytes: finding.size,
        setAside: aside?.movedTo ?? null,
        note: `${bytes} bytes were added to audit.jsonl behind the sidecar (after seq ${lastSeq}); they are not part of the chain and were set aside as ${aside?.movedTo ?? '(nothing left to set aside)'}`,
      };
    }
    if (finding.found === 'shorter') {
      const scan = await scanTail(this.dir);
      const aside =
        scan.debrisBytes > 0 ? await setAsideDebris(this.dir, scan.validEnd, this.opts.now()) : null;
      this.size = scan.validEnd;
      this.fileFirstSeq = this.size > 0 ? ((await readFirstSeq(this.path)) ?? this.tail.seq) : null;
      const lost = Math.max(0, lastSeq - scan.tail.seq);
      return {
        ...base,
        foundBytes: finding.size,
        lastSeqOnDisk: scan.tail.seq,
        lostRecords: lost,
        setAside: aside?.movedTo ?? null,
        note:
          `audit.jsonl holds ${finding.size} bytes, but ${expectedBytes} were written to it: it was cut or rewritten in place. ` +
          (lost
            ? `The last record on disk is seq ${scan.tail.seq}; seq ${scan.tail.seq + 1}–${lastSeq} (${lost} records) are gone. `
            : `Its last record is still seq ${lastSeq}; records before it were removed or changed (verify names them). `) +
          (aside ? `${aside.bytes} bytes of a cut line were set aside as ${aside.movedTo}. ` : '') +
          `The chain continues after seq ${lastSeq}.`,
      };
    }
    // Moved away, deleted, or replaced: the open handle still holds every byte written.
    if (!(await isDirectory(this.dir)))
      throw AuditWriteError.from(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), this.dir);
    const movedTo = await findByIdentity(this.dir, id);
    const seqs = this.fileFirstSeq === null ? null : `seq ${this.fileFirstSeq}–${lastSeq}`;
    let restoredTo: string | null = null;
    if (this.fileFirstSeq !== null && !(movedTo && isChainFileName(movedTo))) {
      let dup = 0;
      while (await exists(join(this.dir, rotatedName(this.fileFirstSeq, dup)))) dup++;
      restoredTo = rotatedName(this.fileFirstSeq, dup);
      await copyOpenFile(this.fh as AuditFileHandle, expectedBytes, this.dir, restoredTo);
    }
    let setAside: string | null = null;
    if (finding.found === 'other-inode') {
      setAside = `${CURRENT_FILE}.replaced-${fileStamp(this.opts.now())}`;
      await rename(this.path, join(this.dir, setAside));
    }
    await this.closeFile();
    this.fh = await this.opts.openFile(this.path);
    this.identity = await this.fh.stat();
    this.size = 0;
    this.fileFirstSeq = null;
    this.rotations++;
    await fsyncDir(this.dir);
    const what =
      finding.found === 'missing'
        ? `audit.jsonl was moved away or deleted while the sidecar was writing it${movedTo ? ` (it is now ${movedTo})` : ''}`
        : `audit.jsonl was replaced by another file (${finding.size} bytes; an editor or sed -i writes a new file and renames it over the old one), now set aside as ${setAside}`;
    const kept = !seqs
      ? 'it held no records yet'
      : restoredTo
        ? `the records written to it (${seqs}) were restored from the still-open file as ${restoredTo}`
        : `the records written to it (${seqs}) stay in ${movedTo}, which is already part of the log`;
    return {
      ...base,
      ...(finding.found === 'other-inode' ? { foundBytes: finding.size } : {}),
      movedTo,
      restoredTo,
      setAside,
      note: `${what}; ${kept}; a new audit.jsonl continues the chain after seq ${lastSeq}.`,
    };
  }

  // ---- rotation and space ----

  /** At rotation on persistent storage: refuse (and record why, while there is still room) below the floor. */
  private async checkFloor(): Promise<void> {
    const { persistent, minFreeBytes } = this.opts.policy();
    if (!persistent || minFreeBytes <= 0) return;
    const free = await freeBytes(this.dir, this.opts.statfs);
    if (free === null || free >= minFreeBytes) return;
    this.spaceLow = { freeBytes: free, floorBytes: minFreeBytes };
    const rotated = (await listRotatedFiles(this.dir)).length;
    const error = this.spaceLowError();
    this.opts.log.error('audit log: free space below the floor; refusing records', {
      dir: this.dir,
      freeBytes: free,
      floorBytes: minFreeBytes,
    });
    await this.writeEvent('audit.space-low', {
      freeBytes: free,
      floorBytes: minFreeBytes,
      rotatedFiles: rotated,
      note: error.message,
    }).catch((err: unknown) => this.opts.log.error('audit log: could not record audit.space-low', { err }));
    throw error;
  }

  private async recheckSpace(): Promise<void> {
    const { persistent, minFreeBytes } = this.opts.policy();
    const free = persistent && minFreeBytes > 0 ? await freeBytes(this.dir, this.opts.statfs) : null;
    if (free === null || free >= minFreeBytes) {
      this.spaceLow = null;
      return;
    }
    this.spaceLow = { freeBytes: free, floorBytes: minFreeBytes };
    throw this.spaceLowError();
  }

  private spaceLowError(): AuditWriteError {
    const { freeBytes: free, floorBytes } = this.spaceLow as { freeBytes: number; floorBytes: number };
    const { retentionMs } = this.opts.policy();
    return new AuditWriteError(
      `audit log in ${this.dir} cannot be written: only ${mib(free)} are free on its disk, less than the floor of ${mib(floorBytes)} (AUDIT_MIN_FREE_MB). Rotated audit files younger than ${retentionMs / 86_400_000} days (AUDIT_RETENTION_DAYS) are never deleted, so no record is written — and no tool runs — until space is freed or the floor is lowered`,
      'ENOSPC',
    );
  }

  /**
   * Renames audit.jsonl after its first seq and starts a new one; returns the rotated files that
   * may be deleted (over keep-N and, on persistent storage, past retention) and the first record
   * the log then starts with.
   */
  private async rotate(): Promise<{ excess: AuditFile[]; keptFrom: RecordRef | null }> {
    try {
      await this.closeFile();
      const firstSeq = this.fileFirstSeq ?? this.tail.seq;
      let dup = 0;
      while (await exists(join(this.dir, rotatedName(firstSeq, dup)))) dup++;
      await rename(this.path, join(this.dir, rotatedName(firstSeq, dup)));
      this.rotations++;
      this.size = 0;
      this.fileFirstSeq = null;
      this.fh = await this.opts.openFile(this.path);
      this.identity = await this.fh.stat();
      await fsyncDir(this.dir);
    } catch (err) {
      this.needsReopen = true;
      throw err;
    }
    const rotated = await listRotatedFiles(this.dir);
    const over = rotated.slice(0, Math.max(0, rotated.length - this.opts.keepFiles));
    const policy = this.opts.policy();
    const excess = policy.persistent ? await expiredFiles(over, policy.retentionMs, this.opts.now()) : over;
    this.keptForRetention = over.length - excess.length;
    if (!excess.length) return { excess, keptFrom: null };
    const next = rotated[excess.length];
    return { excess, keptFrom: next ? await readFirstRecord(next.path) : null };
  }

  /** Writes at the known end; on any failure cuts the file back so the failed bytes never count. */
  private async writeBuffer(buf: Buffer, durable: boolean, lines: ChainedLine[]): Promise<void> {
    const fh = this.fh as AuditFileHandle;
    const start = this.size;
    const before = this.tail;
    try {
      for (let off = 0; off < buf.length;) {
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
        this.opts.log.error('audit log: could not cut back a failed write; will reopen before the next one', {
          err: cutErr,
        });
        this.needsReopen = true;
      }
      throw error;
    }
    this.lastError = null;
    this.size += buf.length;
    const first = lines[0] as ChainedLine;
    this.fileFirstSeq ??= first.seq;
    const last = lines[lines.length - 1] as ChainedLine;
    this.tail = { seq: last.seq, hash: last.hash };
    this.unsynced = !durable;
    if (this.anchorOnFirstWrite) {
      // Only once the record is on disk: the anchor never names more than a crash would leave.
      await this.sync();
      // A verbatim copy into an empty directory may start mid-chain: its prev is in the line.
      const prev = (tryParse(first.line) as { prev?: unknown } | undefined)?.prev;
      await this.saveAnchor('created', {
        seq: first.seq,
        hash: first.hash,
        prev: typeof prev === 'string' ? prev : before.hash,
      });
      if (this.anchor) this.anchorOnFirstWrite = false;
    }
  }

  /**
   * Before a write: the file must be open and exactly as long as its complete records. After a
   * failed cut-back or a rotation that broke half-way: cut by path — only ever shorter — and
   * reopen through crash recovery, which finds the last complete record on disk. The directory is
   * not re-created: if it vanished (the array stopped under us), writing into an empty mount point
   * on the RAM root file system would hide the records, so the write fails instead.
   */
  private async ensureWritable(): Promise<void> {
    if (this.fh && !this.needsReopen) return;
    await this.closeFile().catch(() => {});
    const onDisk = await stat(this.path).then(
      (s) => s.size,
      () => 0,
    );
    if (onDisk > this.size) await truncate(this.path, this.size).catch(() => {});
    const expected = this.tail;
    await this.open({ create: false });
    if (this.tail.seq !== expected.seq)
      this.opts.log.warn('audit log reopened at a different seq than expected', {
        expected: expected.seq,
        found: this.tail.seq,
      });
  }
}

const CHAIN_NAME = /^audit\.(\d{16}(\.\d{1,4})?\.)?jsonl$/;

function isChainFileName(name: string): boolean {
  return CHAIN_NAME.test(name);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
