import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { AuditRecord } from './audit-record.js';

export const AUDIT_FILE = 'audit.jsonl';

interface Pending {
  line: string;
  durable: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Appends audit records as JSON Lines with group commit: records that arrive while a write is in
 * progress are written together in the next single write(), and one fsync covers all of them.
 * `durable` appends resolve only after fsync (used for anything that changes the server); other
 * appends resolve after the write reaches the kernel and are fsynced within `fsyncIntervalMs`.
 */
export class AuditWriter {
  private fh: FileHandle | null = null;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private unsynced = false;
  private syncTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: { dir: string; log: Logger; fsyncIntervalMs?: number }) {}

  get path(): string {
    return join(this.opts.dir, AUDIT_FILE);
  }

  async open(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    this.fh = await open(this.path, 'a', 0o600);
    await this.fh.chmod(0o600);
  }

  append(record: AuditRecord, durable: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line: JSON.stringify(record) + '\n', durable, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    // Let the current tick's appends join this batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      try {
        if (!this.fh) throw new Error('audit log is not open');
        await this.fh.write(batch.map((p) => p.line).join(''));
        if (batch.some((p) => p.durable)) {
          await this.fh.sync();
          this.unsynced = false;
        } else {
          this.scheduleSync();
        }
        for (const p of batch) p.resolve();
      } catch (err) {
        this.opts.log.error('audit write failed', { err });
        for (const p of batch) p.reject(err as Error);
      }
    }
    this.flushing = null;
  }

  private scheduleSync(): void {
    this.unsynced = true;
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      if (this.unsynced && this.fh) {
        this.unsynced = false;
        this.fh.sync().catch((err: unknown) => this.opts.log.error('audit fsync failed', { err }));
      }
    }, this.opts.fsyncIntervalMs ?? 1000);
    this.syncTimer.unref();
  }

  /** Writes what is queued, fsyncs and closes. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    if (this.fh) {
      await this.fh.sync();
      await this.fh.close();
      this.fh = null;
    }
  }
}
