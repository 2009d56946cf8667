import { afterAll, describe, expect, it } from 'vitest';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditLog } from '../../../server/safety/audit/audit-log.js';
import type { AuditEvent, StoredRecord } from '../../../server/safety/audit/audit-record.js';
import { verifyAudit } from '../../../server/safety/audit/audit-verify.js';
import { chainFiles, FlakyDisk, intent, openLog, readAll, removeTempDirs, tempDir } from './audit-helpers.js';

afterAll(removeTempDirs);

/** n records in one go (non-durable, one batch), padded so a copy spans several 256 KiB chunks. */
async function fill(log: AuditLog, n: number, pad = 0): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, () => log.append(intent({ args: { pad: 'p'.repeat(pad) } }), false)),
  );
}

const toolIds = (recs: StoredRecord[]) => recs.filter((r) => r.stage === 'intent').map((r) => r.id);
const events = (recs: StoredRecord[], name: string) =>
  recs.filter((r): r is AuditEvent & StoredRecord => r.stage === 'event' && r.event === name);

function expectNoDuplicates(ids: string[]): void {
  expect(new Set(ids).size).toBe(ids.length);
}

async function dirs(): Promise<{ appdata: string; ram: string }> {
  const root = await tempDir();
  return { appdata: join(root, 'appdata'), ram: join(root, 'ram') };
}

describe('relocation between appdata and RAM', () => {
  it('moves to RAM and back without losing or duplicating a record; the chain stays one chain', async () => {
    const { appdata, ram } = await dirs();
    const log = await openLog(appdata);
    await fill(log, 10);

    // Array stopping: appdata → RAM. Nothing is copied; the chain continues in RAM.
    const out = await log.relocate(ram, false);
    expect(out).toMatchObject({
      from: appdata,
      to: ram,
      persistent: false,
      moved: { mode: 'nothing', copied: 0 },
    });
    expect(log.status()).toMatchObject({ dir: ram, persistent: false, seq: 11 });
    await fill(log, 5);
    expect(await verifyAudit(ram)).toMatchObject({ ok: true, firstSeq: 11, lastSeq: 16 });

    // Array started: RAM → appdata. RAM records are appended verbatim, then removed from RAM.
    const back = await log.relocate(appdata, true);
    expect(back.moved).toMatchObject({ mode: 'verbatim', copied: 6, skipped: 0, sourceIntact: true });
    await fill(log, 3);
    await log.close();

    expect(await chainFiles(ram)).toEqual([]);
    expect(await verifyAudit(appdata)).toMatchObject({ ok: true, firstSeq: 1, records: 10 + 1 + 5 + 1 + 3 });
    const recs = await readAll(appdata);
    expect(toolIds(recs)).toHaveLength(18);
    expectNoDuplicates(toolIds(recs));
    expect(events(recs, 'audit.relocated').map((e) => e.details)).toEqual([
      expect.objectContaining({ from: appdata, to: ram, persistent: false }),
      expect.objectContaining({ from: ram, to: appdata, persistent: true }),
    ]);
  });

  it('finishes a move that crashed mid-copy when the log is reopened, without duplicates', async () => {
    const { appdata, ram } = await dirs();
    const disk = new FlakyDisk();
    const log = await openLog(appdata, { openFile: disk.open });
    await fill(log, 10);
    await log.relocate(ram, false);
    await fill(log, 1200, 800);
    const inRam = toolIds(await readAll(ram));

    // The third 256 KiB chunk of the copy fails: two chunks are in appdata, the journal names RAM.
    const base = disk.writes;
    disk.failWrite = (n) => (n === base + 3 ? 'fail' : null);
    await expect(log.relocate(appdata, true)).rejects.toThrow(/disk is full/);
    await log.close();
    expect((await readdir(appdata)).includes('.relocation.json')).toBe(true);
    expect(toolIds(await readAll(ram))).toEqual(inRam);

    // "Restart": open() finishes the move before taking any record.
    const again = await openLog(appdata);
    await again.append(intent(), true);
    await again.close();
    const recs = await readAll(appdata);
    expect(await verifyAudit(appdata)).toMatchObject({ ok: true, firstSeq: 1 });
    expect(toolIds(recs)).toHaveLength(10 + 1200 + 1);
    expectNoDuplicates(toolIds(recs));
    expect(events(recs, 'audit.relocation-resumed')[0]?.details).toMatchObject({
      moved: { mode: 'verbatim', skipped: expect.any(Number) as number },
    });
    expect(await chainFiles(ram)).toEqual([]);
    expect((await readdir(appdata)).includes('.relocation.json')).toBe(false);
  });

  it('a rerun of relocate finishes an interrupted move too', async () => {
    const { appdata, ram } = await dirs();
    const disk = new FlakyDisk();
    const log = await openLog(appdata, { openFile: disk.open });
    await fill(log, 3);
    await log.relocate(ram, false);
    await fill(log, 1000, 800);
    const base = disk.writes;
    disk.failWrite = (n) => (n === base + 2 ? 'partial' : null);
    await expect(log.relocate(appdata, true)).rejects.toThrow(/disk is full/);
    disk.failWrite = null;
    const rerun = await log.relocate(appdata, true);
    expect(rerun.moved).toMatchObject({ mode: 'verbatim' });
    expect((rerun.moved?.copied ?? 0) + (rerun.moved?.skipped ?? 0)).toBeGreaterThanOrEqual(1000);
    await log.close();
    const recs = await readAll(appdata);
    expect(toolIds(recs)).toHaveLength(1003);
    expectNoDuplicates(toolIds(recs));
    expect((await verifyAudit(appdata)).ok).toBe(true);
  });

  it('does not duplicate when a crash came after the copy but before the source was deleted', async () => {
    const { appdata, ram } = await dirs();
    const log = await openLog(appdata);
    await fill(log, 5);
    await log.relocate(ram, false);
    await fill(log, 5);
    const saved = join(await tempDir(), 'ram-copy');
    await cp(ram, saved, { recursive: true });
    await log.relocate(appdata, true);
    await log.close();
    // Put the state back as a crash between "copy + fsync" and "delete source" leaves it.
    await cp(saved, ram, { recursive: true });
    await writeFile(join(appdata, '.relocation.json'), JSON.stringify({ from: ram }) + '\n');

    const again = await openLog(appdata);
    await again.close();
    const recs = await readAll(appdata);
    expect(toolIds(recs)).toHaveLength(10);
    expectNoDuplicates(toolIds(recs));
    expect(events(recs, 'audit.relocation-resumed')[0]?.details).toMatchObject({
      moved: { mode: 'already-present', copied: 0 },
    });
    expect(await chainFiles(ram)).toEqual([]);
    expect((await verifyAudit(appdata)).ok).toBe(true);
  });

  it('re-chains a forked RAM chain (booted before the array) with markers naming each original record', async () => {
    const { appdata, ram } = await dirs();
    const old = await openLog(appdata);
    await fill(old, 10);
    await old.close();

    // Boot: appdata is not there yet, so the sidecar starts a new chain in RAM.
    const log = await openLog(ram, { persistent: false });
    await fill(log, 5);
    const ramRecs = await readAll(ram);
    const moved = await log.relocate(appdata, true);
    expect(moved.moved).toMatchObject({ mode: 're-chained', copied: 5, sourceIntact: true });
    await log.close();

    expect(await verifyAudit(appdata)).toMatchObject({ ok: true, firstSeq: 1, lastSeq: 10 + 5 + 1 });
    const recs = await readAll(appdata);
    const adopted = recs.filter((r) => r.adopted);
    expect(adopted.map((r) => [r.id, r.adopted?.seq, r.adopted?.hash, r.adopted?.n])).toEqual(
      ramRecs.map((r, i) => [r.id, r.seq, r.hash, i + 1]),
    );
    expect(adopted.map((r) => r.seq)).toEqual([11, 12, 13, 14, 15]);
    expect(await chainFiles(ram)).toEqual([]);
  });

  it('resumes an interrupted re-chaining without adopting a record twice', async () => {
    const { appdata, ram } = await dirs();
    const old = await openLog(appdata);
    await fill(old, 10);
    await old.close();
    const disk = new FlakyDisk();
    const log = await openLog(ram, { persistent: false, openFile: disk.open });
    await fill(log, 1000, 800);
    const base = disk.writes;
    disk.failWrite = (n) => (n === base + 3 ? 'fail' : null);
    await expect(log.relocate(appdata, true)).rejects.toThrow(/disk is full/);
    await log.close();

    const again = await openLog(appdata);
    await again.close();
    const recs = await readAll(appdata);
    const ns = recs.filter((r) => r.adopted).map((r) => r.adopted?.n);
    expect(ns).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(toolIds(recs)).toHaveLength(1010);
    expectNoDuplicates(toolIds(recs));
    expect((await verifyAudit(appdata)).ok).toBe(true);
  });

  it('moves records stranded in RAM by a restart into appdata before writing to RAM again', async () => {
    const { appdata, ram } = await dirs();
    const log = await openLog(appdata);
    await fill(log, 4);
    await log.relocate(ram, false);
    await fill(log, 3);
    await log.close();
    // The sidecar restarts with the array up, so it opens appdata; RAM still holds seq 5–8.
    const restarted = await openLog(appdata);
    const toRam = await restarted.relocate(ram, false);
    expect(toRam.moved).toMatchObject({ mode: 'verbatim', copied: 4 });
    await fill(restarted, 2);
    await restarted.relocate(appdata, true);
    await restarted.close();
    const recs = await readAll(appdata);
    expect(toolIds(recs)).toHaveLength(9);
    expectNoDuplicates(toolIds(recs));
    expect(await verifyAudit(appdata)).toMatchObject({ ok: true, firstSeq: 1 });
    expect(await chainFiles(ram)).toEqual([]);
  });

  it('moves a damaged RAM log by re-chaining it, keeps the unreadable line, and reports the damage', async () => {
    const { appdata, ram } = await dirs();
    const log = await openLog(appdata);
    await fill(log, 3);
    await log.relocate(ram, false);
    await fill(log, 3);
    const path = join(ram, 'audit.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    await writeFile(
      path,
      [lines[0], lines[1], 'garbage from a bad disk', ...lines.slice(2)].join('\n') + '\n',
    );
    const back = await log.relocate(appdata, true);
    expect(back.moved).toMatchObject({
      mode: 're-chained',
      sourceIntact: false,
      sourceProblem: 'audit.jsonl line 3: not a record',
      copied: lines.length + 1,
    });
    await log.close();
    const recs = await readAll(appdata);
    expect(events(recs, 'audit.unreadable-line')[0]?.details).toMatchObject({
      text: 'garbage from a bad disk',
      file: 'audit.jsonl',
    });
    expect(toolIds(recs)).toHaveLength(6);
    expect((await verifyAudit(appdata)).ok).toBe(true);
  });

  it('loses and duplicates nothing while tool calls keep appending during the moves', async () => {
    const { appdata, ram } = await dirs();
    // Small files so rotation happens during the moves too; keep them all to compare every record.
    const log = await openLog(appdata, { maxFileBytes: 4096, keepFiles: 10_000 });
    const acked: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const rec = intent({ id: `w${w}-${i}` });
        await log.append(rec, i % 2 === 0);
        acked.push(rec.id);
      }
    });
    for (let k = 0; k < 6; k++) {
      await new Promise((r) => setTimeout(r, 15));
      await log.relocate(k % 2 === 0 ? ram : appdata, k % 2 === 1);
    }
    stop = true;
    await Promise.all(writers);
    await log.close();
    const recs = await readAll(appdata);
    expect(toolIds(recs).sort()).toEqual([...acked].sort());
    expect(await verifyAudit(appdata)).toMatchObject({ ok: true, firstSeq: 1 });
    expect(await chainFiles(ram)).toEqual([]);
  });

  it('adopt() moves records stranded in RAM at startup, and finds nothing the second time', async () => {
    const { appdata, ram } = await dirs();
    const log = await openLog(appdata);
    await fill(log, 2);
    await log.relocate(ram, false);
    await fill(log, 3);
    await log.close();
    const restarted = await openLog(appdata);
    expect(await restarted.adopt(ram)).toMatchObject({ mode: 'verbatim', copied: 4 });
    expect(await restarted.adopt(ram)).toMatchObject({ mode: 'nothing', copied: 0 });
    await restarted.close();
    const recs = await readAll(appdata);
    expect(toolIds(recs)).toHaveLength(5);
    expect(events(recs, 'audit.adopted')).toHaveLength(1);
    expect(await chainFiles(ram)).toEqual([]);
    expect((await verifyAudit(appdata)).ok).toBe(true);
  });

  it('keeps writing to the old directory when the new one cannot be used', async () => {
    const { appdata } = await dirs();
    const blocker = join(await tempDir(), 'file');
    await writeFile(blocker, 'not a directory');
    const log = await openLog(appdata);
    await fill(log, 2);
    await expect(log.relocate(join(blocker, 'audit'), false)).rejects.toThrow(/cannot be used/);
    expect(log.status()).toMatchObject({ dir: appdata, persistent: true, open: true });
    await fill(log, 1);
    await log.close();
    expect(await verifyAudit(appdata)).toMatchObject({ ok: true, records: 3 });
  });
});
