import { rename, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { AuditEvent } from './audit-record.js';
import { AuditWriteError } from './audit-error.js';
import { CURRENT_FILE, listRotatedFiles, readFirstSeq, rotatedName, type AuditFile } from './audit-files.js';
import { scanTail, setAsideDebris } from './audit-recovery.js';
import { fsyncDir, secureDir } from './fs-util.js';
import { chainEntry, GENESIS, type ChainedLine, type ChainTail } from './hash-chain.js';

/** The part of a FileHandle the writer uses: lets a test inject one that fails like a full disk. */
export interface AuditFileHandle {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(len: number): Promise<void>;
  close(): Promise<void>;
}

export interface ChainFileOptions {
  maxFileBytes: number;
  keepFiles: number;
  log: Logger;
  openFile: (path: string) => Promise<AuditFileHandle>;
  /** Builds the log's own housekeeping events (recovery, rotation). */
  event: (name: string, details: Record<string, unknown>) => AuditEvent;
}

/**
 * The chain on disk in one directory: audit.jsonl being appended at a known end, the rotated files
 * behind it, and where the chain stands (seq and hash of the last record written).
 *
 * Writes go to the known end of the file (not O_APPEND), so a write that fails part-way — a full
 * disk returns a short write, then ENOSPC — is cut back to exactly where it began: the failed
 * batch uses no seq and leaves no half line for the next write to follow. If even the cut fails,
 * the next write first reopens the directory through crash recovery.
 */
export class ChainFile {
  tail: ChainTail = { seq: 0, hash: GENESIS };
  /** Length of audit.jsonl: the end of its last complete record. */
  size = 0;
  /** Bytes written since the last fsync. */
  unsynced = false;
  rotations = 0;
  /** The last write failure, cleared by the next successful write. */
  lastError: string | null = null;
  private fh: AuditFileHandle | null = null;
  /** Seq of the first record in audit.jsonl (names it on rotation); null while it is empty. */
  private fileFirstSeq: number | null = null;
  private needsReopen = false;

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
   * `continueFrom` when given (relocation), else starts at genesis.
   */
  async open(opts: { create: boolean; continueFrom?: ChainTail }): Promise<void> {
    await secureDir(this.dir, opts.create);
    const scan = await scanTail(this.dir);
    const recovered = scan.debrisBytes > 0 ? await setAsideDebris(this.dir, scan.validEnd, new Date()) : null;
    this.tail = scan.record || !opts.continueFrom ? scan.tail : opts.continueFrom;
    this.fh = await this.opts.openFile(this.path);
    this.size = scan.validEnd;
    this.fileFirstSeq = this.size > 0 ? ((await readFirstSeq(this.path)) ?? this.tail.seq) : null;
    this.needsReopen = false;
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
  }

  /**
   * Appends lines that continue `tail`, as one write, rotating first when they would take
   * audit.jsonl past its size limit. Rotated files beyond keep-N are deleted only after an
   * `audit.rotated-away` event naming them is on disk.
   */
  async writeLines(lines: ChainedLine[], durable: boolean): Promise<void> {
    await this.ensureWritable();
    const buf = Buffer.from(lines.map((l) => l.line + '\n').join(''), 'utf8');
    const rotation =
      this.size > 0 && this.size + buf.length > this.opts.maxFileBytes ? await this.rotate() : null;
    await this.writeBuffer(buf, durable && !rotation?.excess.length, lines);
    if (!rotation?.excess.length) return;
    const { excess, keptFromSeq } = rotation;
    const keep = this.opts.keepFiles;
    await this.writeEvent('audit.rotated-away', {
      deleted: excess.map((f) => f.name),
      keptFromSeq,
      keepFiles: keep,
      note: `records before seq ${keptFromSeq} are no longer on disk (keep-${keep} rotation)`,
    });
    for (const f of excess)
      await unlink(f.path).catch((err: unknown) =>
        this.opts.log.error('could not delete a rotated audit file', { file: f.name, err }),
      );
    await fsyncDir(this.dir);
  }

  /** fsyncs if anything is unsynced (or always, with `force`). */
  async sync(force = false): Promise<void> {
    if (!this.fh || (!this.unsynced && !force)) return;
    this.unsynced = false;
    await this.fh.datasync();
  }

  async close(): Promise<void> {
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

  private async writeEvent(name: string, details: Record<string, unknown>): Promise<void> {
    const line = chainEntry(this.opts.event(name, details), this.tail);
    await this.writeBuffer(Buffer.from(line.line + '\n', 'utf8'), true, [line]);
  }

  /** Renames audit.jsonl after its first seq and starts a new one; returns the rotated files over keep-N. */
  private async rotate(): Promise<{ excess: AuditFile[]; keptFromSeq: number }> {
    try {
      await this.close();
      const firstSeq = this.fileFirstSeq ?? this.tail.seq;
      let dup = 0;
      while (await exists(join(this.dir, rotatedName(firstSeq, dup)))) dup++;
      await rename(this.path, join(this.dir, rotatedName(firstSeq, dup)));
      this.rotations++;
      this.size = 0;
      this.fileFirstSeq = null;
      this.fh = await this.opts.openFile(this.path);
      await fsyncDir(this.dir);
    } catch (err) {
      this.needsReopen = true;
      throw err;
    }
    const rotated = await listRotatedFiles(this.dir);
    const drop = Math.max(0, rotated.length - this.opts.keepFiles);
    return { excess: rotated.slice(0, drop), keptFromSeq: rotated[drop]?.firstSeq ?? this.tail.seq + 1 };
  }

  /** Writes at the known end; on any failure cuts the file back so the failed bytes never count. */
  private async writeBuffer(buf: Buffer, durable: boolean, lines: ChainedLine[]): Promise<void> {
    const fh = this.fh as AuditFileHandle;
    const start = this.size;
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
    this.fileFirstSeq ??= (lines[0] as ChainedLine).seq;
    const last = lines[lines.length - 1] as ChainedLine;
    this.tail = { seq: last.seq, hash: last.hash };
    this.unsynced = !durable;
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
    await this.close().catch(() => {});
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

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
