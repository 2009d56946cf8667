import { constants } from 'node:fs';
import { mkdtemp, open, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditLog,
  type AuditFileHandle,
  type AuditLogOptions,
} from '../../../server/safety/audit/audit-log.js';
import type { AuditRecord, StoredRecord } from '../../../server/safety/audit/audit-record.js';
import { silentLogger } from '../../../server/log.js';

const created: string[] = [];

export async function tempDir(prefix = 'umcp-audit-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** For afterAll: removes the temporary directories this file created. */
export async function removeTempDirs(): Promise<void> {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
}

let counter = 0;

/** A realistic intent record, as call-tool.ts writes it. */
export function intent(over: Partial<AuditRecord> = {}): AuditRecord {
  counter++;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    stage: 'intent',
    principal: 'claude',
    client: { name: 'claude-code', version: '1.0.0' },
    session: 'abcdef0123456789',
    tool: 'docker_restart',
    target: { kind: 'container', ref: 'plex' },
    args: { id: 'plex' },
    decision: { allowed: true, rule: null },
    ...over,
  };
}

export async function openLog(dir: string, opts: Partial<AuditLogOptions> = {}): Promise<AuditLog> {
  const log = new AuditLog({ dir, persistent: true, log: silentLogger, ...opts });
  await log.open();
  return log;
}

/** Appends n records one after another (each its own batch), returning their seqs. */
export async function appendMany(
  log: AuditLog,
  n: number,
  over: (i: number) => Partial<AuditRecord> = () => ({}),
): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) seqs.push((await log.append(intent(over(i)), true)).seq);
  return seqs;
}

/** Every line of every chain file in a directory, oldest file first (small test logs only). */
export async function readAll(dir: string): Promise<StoredRecord[]> {
  const names = (await readdir(dir))
    .filter((n) => /^audit\.(\d{16}(\.\d+)?\.)?jsonl$/.test(n))
    .sort((a, b) => (a === 'audit.jsonl' ? 1 : b === 'audit.jsonl' ? -1 : a.localeCompare(b)));
  const out: StoredRecord[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as StoredRecord);
  }
  return out;
}

export async function chainFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /^audit\..*jsonl$/.test(n)).sort();
}

/** Wraps real file handles, counting calls and failing writes on demand, like a disk that fills up. */
export class FlakyDisk {
  writes = 0;
  syncs = 0;
  failWrite: ((call: number) => 'partial' | 'fail' | null) | null = null;
  failTruncate = false;
  open = async (path: string): Promise<AuditFileHandle> => {
    const fh = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    return {
      read: (buf, off, len, pos) => fh.read(buf, off, len, pos),
      stat: () => fh.stat(),
      write: async (buf, off, len, pos) => {
        this.writes++;
        const how = this.failWrite ? this.failWrite(this.writes) : null;
        if (how === 'fail')
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        // A short write (half the bytes) as the kernel returns when the disk fills mid-write; the writer
        // must loop, get ENOSPC on the rest, and cut the half line back off.
        if (how === 'partial') {
          await fh.write(buf, off, Math.floor(len / 2), pos);
          this.failWrite = (n) => (n === this.writes ? 'fail' : null);
          return { bytesWritten: Math.floor(len / 2) };
        }
        return fh.write(buf, off, len, pos);
      },
      datasync: async () => {
        this.syncs++;
        await fh.datasync();
      },
      truncate: async (len) => {
        if (this.failTruncate) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
        await fh.truncate(len);
      },
      close: () => fh.close(),
    };
  };
}
