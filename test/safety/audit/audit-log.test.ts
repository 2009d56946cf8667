import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEvent } from '../../../server/safety/audit/audit-record.js';
import { AuditWriteError } from '../../../server/safety/audit/audit-error.js';
import { verifyAudit } from '../../../server/safety/audit/audit-verify.js';
import { readFirstSeq, rotatedName } from '../../../server/safety/audit/audit-files.js';
import {
  appendMany,
  chainFiles,
  FlakyDisk,
  intent,
  openLog,
  readAll,
  tempDir,
  removeTempDirs,
} from './audit-helpers.js';

afterAll(removeTempDirs);

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('files and modes', () => {
  it('creates the directory 0700 and the file 0600, and tightens existing ones', async () => {
    const root = await tempDir();
    const dir = join(root, 'audit');
    const log = await openLog(dir);
    await log.append(intent(), true);
    await log.close();
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'audit.jsonl'))).toBe(0o600);

    await chmod(dir, 0o755);
    await chmod(join(dir, 'audit.jsonl'), 0o644);
    await writeFile(join(dir, 'audit.0000000000000001.jsonl'), '', { mode: 0o644 });
    await (await openLog(dir)).close();
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'audit.jsonl'))).toBe(0o600);
    expect(await mode(join(dir, 'audit.0000000000000001.jsonl'))).toBe(0o600);
  });

  it('rotates by size into files named after their first seq, all 0600, and keeps N (in RAM)', async () => {
    const dir = await tempDir();
    // In RAM plain keep-N bounds the log; on persistent storage retention applies (audit-retention.test.ts).
    const log = await openLog(dir, { maxFileBytes: 2048, keepFiles: 3, persistent: false });
    await appendMany(log, 50);
    await log.close();
    const files = await chainFiles(dir);
    expect(files).toHaveLength(4);
    expect(await mode(join(dir, 'audit.anchor.json'))).toBe(0o600);
    for (const f of files) {
      expect(f).toMatch(/^audit\.(\d{16}\.)?jsonl$/);
      expect(await mode(join(dir, f))).toBe(0o600);
      expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(2048);
    }
    const records = await readAll(dir);
    // Each rotated file's name is the seq of its first record.
    for (const f of files.slice(0, -1)) {
      const first = JSON.parse((await readFile(join(dir, f), 'utf8')).split('\n')[0] as string) as {
        seq: number;
      };
      expect(f).toBe(`audit.${String(first.seq).padStart(16, '0')}.jsonl`);
    }
    const rotatedAway = records.filter(
      (r) => r.stage === 'event' && r.event === 'audit.rotated-away',
    ) as Array<AuditEvent & { seq: number }>;
    expect(rotatedAway.length).toBeGreaterThan(0);
    expect(rotatedAway.at(-1)?.details).toMatchObject({
      keepFiles: 3,
      deleted: [expect.stringMatching(/^audit\.\d{16}\.jsonl$/)],
    });
    expect((await verifyAudit(dir)).ok).toBe(true);
  });
});

describe('records and the chain', () => {
  it('writes one line per record whatever the strings hold, and reads back what was written', async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    const nasty = { message: 'line1\nline2\r\n\u2028\u2029 "quoted" \\ \u0000 \ud83d\ude00 \ud800' };
    await log.append(intent({ args: nasty }), true);
    await log.append(intent({ args: { n: 1, deep: { b: [1, { z: 1, a: 2 }], a: null } } }), false);
    await log.close();
    const text = await readFile(join(dir, 'audit.jsonl'), 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    const [first] = await readAll(dir);
    expect(first).toMatchObject({ args: nasty });
    expect((await verifyAudit(dir)).ok).toBe(true);
  });

  it('adds seq, prev and hash; the first prev is 64 zeros; reopening continues the chain', async () => {
    const dir = await tempDir();
    let log = await openLog(dir);
    const r1 = await log.append(intent(), true);
    const r2 = await log.append(intent(), true);
    await log.close();
    log = await openLog(dir);
    expect(log.status()).toMatchObject({ seq: 2, lastHash: r2.hash, persistent: true, open: true });
    const r3 = await log.append(intent(), true);
    await log.close();
    const recs = await readAll(dir);
    expect(recs.map((r) => [r.seq, r.prev, r.hash])).toEqual([
      [1, '0'.repeat(64), r1.hash],
      [2, r1.hash, r2.hash],
      [3, r2.hash, r3.hash],
    ]);
  });

  it('records events with a name and free details', async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    const ev: AuditEvent = {
      id: 'e1',
      time: new Date().toISOString(),
      stage: 'event',
      principal: 'webgui',
      event: 'settings.changed',
      details: { field: 'READ_ONLY', from: 'no', to: 'yes' },
    };
    await log.append(ev, true);
    await log.close();
    expect((await readAll(dir))[0]).toMatchObject({ ...ev, seq: 1 });
  });

  it('rejects a record that cannot be serialised without using up a seq', async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    const results = await Promise.allSettled([
      log.append(intent(), true),
      log.append(intent({ args: { big: 1n } }), true),
      log.append(intent(), true),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(AuditWriteError);
    await log.close();
    expect((await readAll(dir)).map((r) => r.seq)).toEqual([1, 2]);
  });

  it('rejects appends after close', async () => {
    const log = await openLog(await tempDir());
    await log.close();
    await expect(log.append(intent(), true)).rejects.toThrow('audit log is closed');
  });
});

describe('group commit', () => {
  it('writes concurrent appends in one write and one fsync, and resolves durable ones after it', async () => {
    const disk = new FlakyDisk();
    const dir = await tempDir();
    const log = await openLog(dir, { openFile: disk.open });
    const receipts = await Promise.all(
      Array.from({ length: 200 }, (_, i) => log.append(intent(), i % 3 === 0)),
    );
    expect(receipts.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(disk.writes).toBe(1);
    expect(disk.syncs).toBe(1);
    await log.close();
  });

  it('fsyncs non-durable appends within the interval', async () => {
    const disk = new FlakyDisk();
    const log = await openLog(await tempDir(), { openFile: disk.open, fsyncIntervalMs: 50 });
    // The first record of a directory is always fsynced: the anchor that names it is written after.
    await log.append(intent(), false);
    expect(disk.syncs).toBe(1);
    await log.append(intent(), false);
    expect(disk.syncs).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(disk.syncs).toBe(2);
    await log.close();
  });
});

describe('crash recovery on open', () => {
  it('sets a torn last line aside, records it, and continues from the last complete record', async () => {
    const dir = await tempDir();
    let log = await openLog(dir);
    await appendMany(log, 5);
    await log.close();
    const torn = '{"args":{"id":"plex"},"client":{"name":"claude-co';
    await appendFile(join(dir, 'audit.jsonl'), torn);

    log = await openLog(dir);
    const next = await log.append(intent(), true);
    await log.close();
    expect(next.seq).toBe(7);
    const partials = (await readdir(dir)).filter((n) => n.startsWith('audit.jsonl.partial-'));
    expect(partials).toHaveLength(1);
    expect(await readFile(join(dir, partials[0] as string), 'utf8')).toBe(torn);
    expect(await mode(join(dir, partials[0] as string))).toBe(0o600);
    const recs = await readAll(dir);
    expect(recs[5]).toMatchObject({
      seq: 6,
      stage: 'event',
      principal: 'system',
      event: 'audit.recovered',
      details: {
        movedTo: partials[0],
        bytes: torn.length,
        continuedFromSeq: 5,
        reason: expect.stringContaining('crash') as string,
      },
    });
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 7 });
  });

  it('also sets aside garbage lines a power cut can leave, but keeps an edited record for verify to report', async () => {
    const dir = await tempDir();
    let log = await openLog(dir);
    await appendMany(log, 3);
    await log.close();
    const path = join(dir, 'audit.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    await writeFile(path, [...lines, '\u0000\u0000\u0000', ''].join('\n') + '\u0000\u0000');
    log = await openLog(dir);
    await log.close();
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 4 });

    // An edited (but complete) last record is not crash debris: the chain continues and verify names it.
    const edited = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    edited[edited.length - 1] = (edited.at(-1) as string).replace('"system"', '"mallory"');
    await writeFile(path, edited.join('\n') + '\n');
    log = await openLog(dir);
    await log.append(intent(), true);
    await log.close();
    expect((await verifyAudit(dir)).problem).toMatchObject({ line: 4, seq: 4, kind: 'hash-mismatch' });
  });

  it('continues from the newest rotated file when a crash left no current file', async () => {
    const dir = await tempDir();
    let log = await openLog(dir, { maxFileBytes: 2048 });
    await appendMany(log, 20);
    await log.close();
    // A crash in rotation between renaming audit.jsonl and creating the new one.
    const current = join(dir, 'audit.jsonl');
    await rename(current, join(dir, rotatedName((await readFirstSeq(current)) as number)));
    log = await openLog(dir, { maxFileBytes: 2048 });
    const r = await log.append(intent(), true);
    await log.close();
    expect(r.seq).toBe(21);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, lastSeq: r.seq, incidents: [] });
  });
});

describe('write failures', () => {
  it('rejects a batch cut short by a full disk with a clear error, cuts the half line off, and continues the chain after', async () => {
    const disk = new FlakyDisk();
    const dir = await tempDir();
    const log = await openLog(dir, { openFile: disk.open });
    await appendMany(log, 3);
    const sizeBefore = (await stat(join(dir, 'audit.jsonl'))).size;
    disk.failWrite = () => 'partial';
    const failed = await Promise.allSettled([log.append(intent(), true), log.append(intent(), true)]);
    for (const f of failed) {
      expect(f.status).toBe('rejected');
      expect((f as PromiseRejectedResult).reason).toBeInstanceOf(AuditWriteError);
      expect(((f as PromiseRejectedResult).reason as Error).message).toBe(
        `audit log in ${dir} cannot be written: the disk is full (ENOSPC)`,
      );
    }
    expect((await stat(join(dir, 'audit.jsonl'))).size).toBe(sizeBefore);
    expect(log.status()).toMatchObject({
      seq: 3,
      lastError: `audit log in ${dir} cannot be written: the disk is full (ENOSPC)`,
    });

    expect(log.status()).toMatchObject({
      ok: false,
      unavailable: {
        message: `audit log in ${dir} cannot be written: the disk is full (ENOSPC)`,
        refusedRecords: 2,
      },
    });

    disk.failWrite = null;
    // The first record that can be written again is the outage's summary, then the new record.
    expect((await log.append(intent(), true)).seq).toBe(5);
    expect(log.status()).toMatchObject({ ok: true, lastError: null, unavailable: null });
    await log.close();
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 5 });
    expect((await readAll(dir))[3]).toMatchObject({
      seq: 4,
      event: 'audit.writes-resumed',
      details: {
        error: `audit log in ${dir} cannot be written: the disk is full (ENOSPC)`,
        refusedRecords: 2,
      },
    });
  });

  it('reopens through recovery when even cutting back fails, without a corrupt chain', async () => {
    const disk = new FlakyDisk();
    const dir = await tempDir();
    const log = await openLog(dir, { openFile: disk.open });
    await appendMany(log, 3);
    disk.failWrite = () => 'partial';
    disk.failTruncate = true;
    await expect(log.append(intent(), true)).rejects.toThrow(/disk is full/);
    disk.failWrite = null;
    disk.failTruncate = false;
    expect((await log.append(intent(), true)).seq).toBe(5);
    await log.close();
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 5 });
  });
});

describe('a vanished directory', () => {
  it('is not re-created by a reopen (it may be an unmounted /mnt/user): the write fails with ENOENT', async () => {
    const disk = new FlakyDisk();
    const root = await tempDir();
    const dir = join(root, 'appdata', 'audit');
    const log = await openLog(dir, { openFile: disk.open });
    await appendMany(log, 2);
    disk.failWrite = () => 'partial';
    disk.failTruncate = true;
    await expect(log.append(intent(), true)).rejects.toThrow(/disk is full/);
    disk.failWrite = null;
    disk.failTruncate = false;
    await rm(join(root, 'appdata'), { recursive: true });
    await expect(log.append(intent(), true)).rejects.toThrow(
      `audit log in ${dir} cannot be written: the directory has disappeared (ENOENT); was the array stopped?`,
    );
    expect(await stat(join(root, 'appdata')).catch(() => null)).toBeNull();
    await log.close();
  });
});

/**
 * A real full disk: a 64 KiB tmpfs. Mounting needs root (CI runs as root for dockerd); elsewhere the
 * FlakyDisk tests above cover the same paths by injection.
 */
const canMount = process.getuid?.() === 0;
describe.runIf(canMount)('write failures on a real full tmpfs', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) execFileSync('umount', [m]);
  });

  it('gives a clear ENOSPC error, leaves a verifiable chain, and continues once space is freed', async () => {
    const mnt = await tempDir('umcp-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mnt]);
    mounts.push(mnt);
    const dir = join(mnt, 'audit');
    await mkdir(dir);
    await writeFile(join(mnt, 'ballast'), Buffer.alloc(40 * 1024));
    const log = await openLog(dir);
    let error: Error | null = null;
    let written = 0;
    for (let i = 0; i < 1000 && !error; i++) {
      try {
        // Batches of 8 concurrent appends, so a batch can be cut part-way.
        await Promise.all(
          Array.from({ length: 8 }, () => log.append(intent({ args: { pad: 'x'.repeat(200) } }), true)),
        );
        written += 8;
      } catch (err) {
        error = err as Error;
      }
    }
    expect(error).toBeInstanceOf(AuditWriteError);
    expect(error?.message).toBe(`audit log in ${dir} cannot be written: the disk is full (ENOSPC)`);
    expect((error as AuditWriteError).code).toBe('ENOSPC');
    const seqAtFailure = log.status().seq;
    expect(seqAtFailure).toBe(written);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: written });

    await rm(join(mnt, 'ballast'));
    // seq written + 1 is the audit.writes-resumed event that records the outage.
    expect((await log.append(intent(), true)).seq).toBe(written + 2);
    await log.close();
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: written + 2 });
  });
});
