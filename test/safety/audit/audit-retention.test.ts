import { afterAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { AuditWriteError } from '../../../server/safety/audit/audit-error.js';
import { verifyAudit } from '../../../server/safety/audit/audit-verify.js';
import type { StoredRecord } from '../../../server/safety/audit/audit-record.js';
import { appendMany, intent, openLog, readAll, removeTempDirs, tempDir } from './audit-helpers.js';

afterAll(removeTempDirs);

const DAY = 86_400_000;
const MIB = 1024 * 1024;
const rotatedFiles = async (dir: string) => (await readdir(dir)).filter((n) => /^audit\.\d{16}/.test(n));
const eventsOf = (recs: StoredRecord[], name: string) =>
  recs.filter((r) => r.stage === 'event' && r.event === name) as Array<
    StoredRecord & { details: Record<string, unknown> }
  >;

/** A clock the test moves; records carry its time. */
function clock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    iso: () => new Date(t).toISOString(),
    advance: (ms: number) => (t += ms),
  };
}

describe('rotation on persistent storage keeps history for the retention period', () => {
  it('keeps rotated files younger than the retention period beyond keep-N', async () => {
    const c = clock('2026-03-01T00:00:00Z');
    const dir = await tempDir();
    const log = await openLog(dir, { maxFileBytes: 2048, keepFiles: 2, now: c.now });
    await appendMany(log, 60, () => ({ time: c.iso() }));
    const rotated = await rotatedFiles(dir);
    expect(rotated.length).toBeGreaterThan(2);
    expect(log.status()).toMatchObject({ keptForRetention: rotated.length - 2, retentionDays: 30 });
    await log.close();
    expect(eventsOf(await readAll(dir), 'audit.rotated-away')).toEqual([]);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, firstSeq: 1, records: 60 });
  });

  it('deletes over keep-N only the oldest files past retention, never a younger one behind them', async () => {
    const c = clock('2026-03-01T00:00:00Z');
    const dir = await tempDir();
    const log = await openLog(dir, { maxFileBytes: 2048, keepFiles: 2, now: c.now });
    // 20 old records, then 40 from 40 days later.
    await appendMany(log, 20, () => ({ time: c.iso() }));
    c.advance(40 * DAY);
    await appendMany(log, 40, () => ({ time: c.iso() }));
    await log.close();
    const recs = await readAll(dir);
    // Every young record is still on disk; only old ones went.
    expect(recs.filter((r) => r.stage === 'intent' && r.time === c.iso())).toHaveLength(40);
    const away = eventsOf(recs, 'audit.rotated-away');
    expect(away.length).toBeGreaterThan(0);
    expect(away[0]?.details).toMatchObject({ keepFiles: 2, retentionDays: 30 });
    expect(away[0]?.details.note).toMatch(/the deleted files were older than the 30-day retention period/);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: recs.length });
  });

  it('follows the retention setting as it changes', async () => {
    const c = clock('2026-03-01T00:00:00Z');
    let retentionMs = 30 * DAY;
    const dir = await tempDir();
    const log = await openLog(dir, {
      maxFileBytes: 2048,
      keepFiles: 2,
      now: c.now,
      limits: () => ({ retentionMs, minFreeBytes: 0 }),
    });
    await appendMany(log, 30, () => ({ time: c.iso() }));
    const before = (await rotatedFiles(dir)).length;
    expect(before).toBeGreaterThan(3);
    c.advance(2 * DAY);
    retentionMs = DAY;
    await appendMany(log, 10, () => ({ time: c.iso() }));
    await log.close();
    expect(eventsOf(await readAll(dir), 'audit.rotated-away')).not.toEqual([]);
    expect((await rotatedFiles(dir)).length).toBeLessThan(before);
  });

  it('in RAM keeps the bounded keep-N rotation whatever the age', async () => {
    const c = clock('2026-03-01T00:00:00Z');
    const dir = await tempDir();
    const log = await openLog(dir, { maxFileBytes: 2048, keepFiles: 2, now: c.now, persistent: false });
    await appendMany(log, 60, () => ({ time: c.iso() }));
    await log.close();
    expect(await rotatedFiles(dir)).toHaveLength(2);
  });
});

describe('the free-space floor', () => {
  it('at rotation below the floor: records the reason, refuses every record until space is back, then records the outage', async () => {
    const dir = await tempDir();
    let free = 100 * MIB;
    const statfs = () => Promise.resolve({ bavail: free, bsize: 1 });
    const log = await openLog(dir, {
      maxFileBytes: 2048,
      statfs,
      limits: () => ({ retentionMs: 30 * DAY, minFreeBytes: 200 * MIB }),
    });
    let error: unknown = null;
    let written = 0;
    while (!error) {
      try {
        await log.append(intent(), true);
        written++;
      } catch (err) {
        error = err;
      }
    }
    const message = `audit log in ${dir} cannot be written: only 100 MiB are free on its disk, less than the floor of 200 MiB (AUDIT_MIN_FREE_MB). Rotated audit files younger than 30 days (AUDIT_RETENTION_DAYS) are never deleted, so no record is written — and no tool runs — until space is freed or the floor is lowered`;
    expect(error).toBeInstanceOf(AuditWriteError);
    expect((error as Error).message).toBe(message);
    // Refused before the file would have rotated: nothing rotated, the notice is the last record.
    expect(await rotatedFiles(dir)).toEqual([]);
    let recs = await readAll(dir);
    expect(recs.at(-1)).toMatchObject({
      seq: written + 1,
      event: 'audit.space-low',
      details: { freeBytes: 100 * MIB, floorBytes: 200 * MIB, note: message },
    });
    await expect(log.append(intent(), true)).rejects.toThrow(message);
    expect((await readAll(dir)).length).toBe(written + 1);
    expect(log.status()).toMatchObject({ ok: false, unavailable: { message, refusedRecords: 2 } });
    expect(await log.check()).toBe(message);

    free = 300 * MIB;
    expect(await log.check()).toBeNull();
    expect(log.status()).toMatchObject({ ok: true, unavailable: null });
    const next = await log.append(intent(), true);
    await log.close();
    recs = await readAll(dir);
    expect(recs.find((r) => r.seq === written + 2)).toMatchObject({
      event: 'audit.writes-resumed',
      details: { error: message, refusedRecords: 2 },
    });
    expect(next.seq).toBe(written + 3);
    expect(await rotatedFiles(dir)).toHaveLength(1);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: written + 3 });
  });

  it('is not applied in RAM, nor when set to 0', async () => {
    for (const opts of [
      { persistent: false, minFreeBytes: 200 * MIB },
      { persistent: true, minFreeBytes: 0 },
    ]) {
      const dir = await tempDir();
      const log = await openLog(dir, {
        maxFileBytes: 2048,
        persistent: opts.persistent,
        statfs: () => Promise.resolve({ bavail: 1, bsize: 1 }),
        limits: () => ({ retentionMs: 30 * DAY, minFreeBytes: opts.minFreeBytes }),
      });
      await appendMany(log, 30);
      await log.close();
      expect((await rotatedFiles(dir)).length).toBeGreaterThan(0);
    }
  });
});
