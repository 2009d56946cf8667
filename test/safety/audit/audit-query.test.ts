import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import type { AuditLog } from '../../../server/safety/audit/audit-log.js';
import type { AuditRecord, StoredRecord } from '../../../server/safety/audit/audit-record.js';
import {
  exportJsonl,
  InvalidCursorError,
  queryAudit,
  MAX_PAGE_SIZE,
} from '../../../server/safety/audit/audit-query.js';
import type { AuditFilter } from '../../../server/safety/audit/audit-filter.js';
import { chainFiles, intent, openLog, readAll, removeTempDirs, tempDir } from './audit-helpers.js';

afterAll(removeTempDirs);

const TOOLS = ['docker_stop', 'docker_restart', 'vm_start', 'system_overview'];
const PRINCIPALS = ['claude', 'cursor', 'webgui'];
const T0 = Date.UTC(2026, 2, 1);

/** Record i: a tool call whose fields cycle, one minute apart; every 7th is denied, every 5th fails. */
function call(i: number): AuditRecord {
  const outcome = i % 2 === 1;
  const denied = i % 7 === 0;
  const failed = i % 5 === 0;
  const base = intent({
    id: `call-${i}`,
    time: new Date(T0 + i * 60_000).toISOString(),
    tool: TOOLS[i % TOOLS.length] as string,
    principal: PRINCIPALS[i % PRINCIPALS.length] as string,
    target: {
      kind: i % 3 === 0 ? 'vm' : 'container',
      ref: i % 3 === 0 ? 'Windows 11 (Gaming)' : `Plex-${i % 4}`,
    },
    args: { note: i === 123 ? 'Needle In The Haystack' : 'routine' },
    decision: { allowed: !denied, rule: denied ? 'scope' : null },
  });
  if (!outcome) return base;
  return {
    ...base,
    stage: 'outcome',
    intent: `call-${i - 1}`,
    result: denied
      ? { status: 'error', code: 'policy_denied', message: 'denied' }
      : failed
        ? { status: 'error', code: 'timeout', message: 'took too long' }
        : { status: 'ok', code: null, message: null },
    durationMs: 12.5,
  };
}

const N = 400;
let dir: string;
let log: AuditLog;
let all: StoredRecord[];

beforeAll(async () => {
  dir = await tempDir();
  log = await openLog(dir, { maxFileBytes: 16 * 1024, keepFiles: 100 });
  for (let i = 0; i < N; i++) await log.append(call(i), false);
  all = (await readAll(dir)).filter((r) => r.stage !== 'event');
});
afterAll(() => log.close());

/** Every page of a query, following cursors. */
async function pages(filter: AuditFilter, limit: number): Promise<StoredRecord[][]> {
  const out: StoredRecord[][] = [];
  let cursor: string | null = null;
  do {
    const page = await queryAudit(dir, filter, { cursor, limit });
    out.push(page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

const ids = (recs: StoredRecord[]) => recs.map((r) => r.id);
let restore = async (): Promise<void> => {};
const expected = (pred: (r: StoredRecord) => boolean) => ids(all.filter(pred).reverse());

describe('audit query', () => {
  it('spreads the test log over several rotated files', async () => {
    expect((await chainFiles(dir)).length).toBeGreaterThanOrEqual(5);
  });

  it('returns the newest records first, 50 by default, with a cursor', async () => {
    const page = await queryAudit(dir, {});
    expect(page.records).toHaveLength(50);
    expect(ids(page.records)).toEqual(expected(() => true).slice(0, 50));
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('pages through every rotated file with the cursor, without gaps or repeats', async () => {
    const got = await pages({}, 37);
    expect(got.slice(0, -1).every((p) => p.length === 37)).toBe(true);
    expect(ids(got.flat())).toEqual(expected(() => true));
    const seqs = got.flat().map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it.each<[string, AuditFilter, (r: StoredRecord) => boolean]>([
    ['tool', { tool: 'vm_start' }, (r) => r.tool === 'vm_start'],
    ['principal', { principal: 'cursor' }, (r) => r.principal === 'cursor'],
    [
      'tool and principal',
      { tool: 'docker_stop', principal: 'webgui' },
      (r) => r.tool === 'docker_stop' && r.principal === 'webgui',
    ],
    [
      'outcome ok',
      { outcome: 'ok' },
      (r) => r.stage === 'outcome' && r.decision.allowed && r.result?.status === 'ok',
    ],
    [
      'outcome error',
      { outcome: 'error' },
      (r) => r.stage === 'outcome' && r.decision.allowed && r.result?.status === 'error',
    ],
    ['outcome denied', { outcome: 'denied' }, (r) => r.stage === 'outcome' && !r.decision.allowed],
    ['an error code', { outcome: 'timeout' }, (r) => r.stage === 'outcome' && r.result?.code === 'timeout'],
    ['stage', { stage: 'intent' }, (r) => r.stage === 'intent'],
    ['target name substring, any case', { target: 'windows 11' }, (r) => r.target?.kind === 'vm'],
    ['target kind:ref', { target: 'container:plex-2' }, (r) => r.target?.ref === 'Plex-2'],
    ['free text, any case', { text: 'needle in the' }, (r) => r.id === 'call-123'],
    [
      'time range',
      { from: new Date(T0 + 100 * 60_000).toISOString(), to: new Date(T0 + 130 * 60_000) },
      (r) => Date.parse(r.time) >= T0 + 100 * 60_000 && Date.parse(r.time) < T0 + 130 * 60_000,
    ],
    [
      'everything at once',
      {
        tool: 'docker_restart',
        outcome: 'ok',
        from: new Date(T0 + 60 * 60_000).toISOString(),
        target: 'plex',
      },
      (r) =>
        r.tool === 'docker_restart' &&
        r.stage === 'outcome' &&
        r.decision.allowed &&
        r.result?.status === 'ok' &&
        r.target?.kind === 'container' &&
        Date.parse(r.time) >= T0 + 60 * 60_000,
    ],
  ])('filters by %s, newest first, across pages', async (_name, filter, pred) => {
    const want = expected(pred);
    expect(want.length).toBeGreaterThan(0);
    expect(ids((await pages(filter, 20)).flat())).toEqual(want);
  });

  it('finds nothing without error', async () => {
    expect(await queryAudit(dir, { tool: 'no_such_tool' })).toEqual({
      records: [],
      nextCursor: null,
      complete: true,
      scanned: { bytes: expect.any(Number), until: new Date(T0).toISOString() },
    });
  });

  it('caps the page size at 500 and rejects a forged cursor', async () => {
    expect(MAX_PAGE_SIZE).toBe(500);
    expect((await queryAudit(dir, {}, { limit: 10_000 })).records).toHaveLength(N);
    await expect(queryAudit(dir, {}, { cursor: 'bm90IGEgY3Vyc29y' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(queryAudit(dir, { from: 'yesterday' })).rejects.toThrow('"from" is not a valid time');
  });

  it('returns a partial page with a cursor when the scan budget runs out, and the cursor finishes the job', async () => {
    // A filter no other test uses: rotated files read whole for a pattern are remembered (see below).
    const first = await queryAudit(dir, { tool: 'system_overview' }, { maxScanBytes: 8 * 1024 });
    expect(first.records.length).toBeLessThan(50);
    expect(first).toMatchObject({ complete: false, nextCursor: expect.any(String) });
    // One chunk (one 16 KiB file here) per request: what it read, back to which time.
    expect(first.scanned.bytes).toBeGreaterThanOrEqual(8 * 1024);
    expect(first.scanned.bytes).toBeLessThan(32 * 1024);
    expect(Date.parse(first.scanned.until as string)).toBeLessThan(Date.parse(all.at(-1)!.time));
    let cursor = first.nextCursor;
    const got = [...first.records];
    let requests = 1;
    let last = first;
    while (cursor) {
      last = await queryAudit(dir, { tool: 'system_overview' }, { cursor, maxScanBytes: 8 * 1024 });
      got.push(...last.records);
      cursor = last.nextCursor;
      requests++;
    }
    expect(requests).toBeGreaterThanOrEqual(5);
    expect(last.complete).toBe(true);
    expect(ids(got)).toEqual(expected((r) => r.tool === 'system_overview'));
  });

  it('gives the same pages from remembered pattern lines as from reading the files, and forgets a changed file', async () => {
    const filter = { outcome: 'timeout', principal: 'webgui' };
    const want = expected(
      (r) => r.stage === 'outcome' && r.result?.code === 'timeout' && r.principal === 'webgui',
    );
    expect(want.length).toBeGreaterThan(3);
    expect(ids((await pages(filter, 2)).flat())).toEqual(want); // reads the files
    expect(ids((await pages(filter, 3)).flat())).toEqual(want); // from what the first run remembered
    expect(ids((await pages(filter, 50)).flat())).toEqual(want);
    // A rotated file rewritten (here: one matching record removed) is read again, not served from memory.
    const files = (await chainFiles(dir)).filter((n) => n !== 'audit.jsonl');
    const victim = want[want.length - 1] as string;
    for (const name of files) {
      const text = await readFile(`${dir}/${name}`, 'utf8');
      const line = text.split('\n').find((l) => l.includes(`"id":"${victim}"`));
      if (line) await writeFile(`${dir}/${name}`, text.replace(line + '\n', ''));
      if (line) restore = async () => writeFile(`${dir}/${name}`, text);
    }
    expect(ids((await pages(filter, 3)).flat())).toEqual(want.slice(0, -1));
    await restore();
    expect(ids((await pages(filter, 3)).flat())).toEqual(want);
  });

  it('a rare filter over a larger log: complete:false at the budget, and continuing finds every match once', async () => {
    const d = await tempDir();
    const l = await openLog(d, { maxFileBytes: 64 * 1024, keepFiles: 100 });
    // 3,000 records (~1.4 MB, ~20 files); 1 in 500 is a denied docker_stop outcome.
    for (let i = 0; i < 3000; i++) {
      const rare = i % 500 === 123;
      const base = call(i % 2 ? 2 : 4); // an allowed, successful docker_restart… pattern
      await l.append(
        rare
          ? { ...call(7), id: `rare-${i}`, time: new Date(T0 + i * 1000).toISOString() }
          : { ...base, id: `r-${i}`, time: new Date(T0 + i * 1000).toISOString() },
        false,
      );
    }
    await l.close();
    const budget = 200 * 1024;
    const found: StoredRecord[] = [];
    let cursor: string | null = null;
    let partial = 0;
    do {
      const page = await queryAudit(d, { outcome: 'denied' }, { cursor, maxScanBytes: budget });
      expect(page.scanned.bytes).toBeLessThan(budget + 1024 * 1024);
      if (!page.complete) partial++;
      found.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor);
    expect(partial).toBeGreaterThan(0);
    expect(found.map((r) => r.id)).toEqual([
      'rare-2623',
      'rare-2123',
      'rare-1623',
      'rare-1123',
      'rare-623',
      'rare-123',
    ]);
  });

  it('free text skips lines by their bytes, yet finds text whose lowercase is ASCII only after decoding', async () => {
    const d = await tempDir();
    const l = await openLog(d);
    // U+212A KELVIN SIGN lowercases to an ASCII "k".
    await l.append(intent({ id: 'kelvin', args: { note: '\u212Aelvin scale' } }), false);
    await l.append(intent({ id: 'plain', args: { note: 'Kelvin Scale' } }), false);
    await l.append(intent({ id: 'other', args: { note: 'celsius' } }), false);
    await l.close();
    expect(ids((await queryAudit(d, { text: 'kelvin scale' })).records)).toEqual(['plain', 'kelvin']);
    expect(ids((await queryAudit(d, { text: 'CELSIUS' })).records)).toEqual(['other']);
  });

  it('seeks to a "to" time instead of reading everything newer', async () => {
    const to = new Date(T0 + 40 * 60_000);
    const page = await queryAudit(dir, { to }, { limit: 500 });
    expect(ids(page.records)).toEqual(expected((r) => Date.parse(r.time) < to.getTime()));
    // Only the first few files are read (~10 minutes of slack past `to`), not the 400 records after.
    const total = all.reduce((a, r) => a + JSON.stringify(r).length, 0);
    expect(page.scanned.bytes).toBeLessThan(total / 3);
  });

  it('rejects a cursor that does not point at the start of a record in a file of the log, precisely', async () => {
    const page = await queryAudit(dir, {}, { limit: 3 });
    const c = JSON.parse(Buffer.from(page.nextCursor as string, 'base64url').toString()) as {
      s: number;
      o: number;
    };
    const forge = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    await expect(queryAudit(dir, {}, { cursor: forge({ s: c.s, o: c.o - 1 }) })).rejects.toThrow(
      `the cursor is not valid (offset ${c.o - 1} in audit.jsonl is not the start of a record)`,
    );
    await expect(queryAudit(dir, {}, { cursor: forge({ s: c.s, o: 10 ** 9 }) })).rejects.toThrow(
      /offset 1000000000 is past the end of audit\.jsonl/,
    );
    await expect(queryAudit(dir, {}, { cursor: forge({ s: c.s + 1_000_000, o: 0 }) })).rejects.toThrow(
      `no file of the log starts at seq ${c.s + 1_000_000}`,
    );
    await expect(queryAudit(dir, {}, { cursor: 'not a cursor!' })).rejects.toThrow('the cursor is not valid');
    // A cursor into files rotation has since deleted: nothing older is left.
    expect(
      await queryAudit(dir, {}, { cursor: forge({ s: 0.5, o: 0 }) }).catch((e: Error) => e.message),
    ).toMatch('not valid');
  });

  it('keeps a cursor valid while new records rotate the current file', async () => {
    const d = await tempDir();
    const l = await openLog(d, { maxFileBytes: 8 * 1024 });
    for (let i = 0; i < 100; i++) await l.append(call(i), false);
    const first = await queryAudit(d, {}, { limit: 30 });
    for (let i = 100; i < 200; i++) await l.append(call(i), false);
    await l.close();
    let cursor = first.nextCursor;
    const rest: StoredRecord[] = [];
    while (cursor) {
      const page = await queryAudit(d, {}, { cursor, limit: 30 });
      rest.push(...page.records);
      cursor = page.nextCursor;
    }
    const firstHundred = (await readAll(d)).filter((r) => r.stage !== 'event' && Number(r.id.slice(5)) < 100);
    expect([...ids(first.records), ...ids(rest)]).toEqual(ids(firstHundred.reverse()));
  });
});

describe('audit export', () => {
  it('streams matching records as JSON lines, oldest first, exactly as stored', async () => {
    let text = '';
    for await (const line of exportJsonl(dir, { principal: 'claude' })) text += line;
    const stored = (await Promise.all((await chainFiles(dir)).map((f) => readFile(`${dir}/${f}`, 'utf8'))))
      .join('')
      .split('\n')
      .filter((l) => l.includes('"principal":"claude"'))
      .map((l) => l + '\n')
      .join('');
    expect(text).toBe(stored);
    expect(text.split('\n').filter(Boolean)).toHaveLength(all.filter((r) => r.principal === 'claude').length);
  });

  it('is what AuditLog.exportJsonl and AuditLog.query serve', async () => {
    const lines: string[] = [];
    for await (const line of log.exportJsonl({ tool: 'vm_start' })) lines.push(line);
    expect(lines.map((l) => (JSON.parse(l) as StoredRecord).id)).toEqual(
      expected((r) => r.tool === 'vm_start').reverse(),
    );
    expect(ids((await log.query({ tool: 'vm_start' }, { limit: 5 })).records)).toEqual(
      expected((r) => r.tool === 'vm_start').slice(0, 5),
    );
  });
});
