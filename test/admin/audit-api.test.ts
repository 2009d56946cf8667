import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAdminApp } from '../../server/admin/create-admin-app.js';
import { auditRoutes } from '../../server/admin/routes/audit-routes.js';
import type { DataPlacement } from '../../server/safety/data-placement.js';
import type { AdminDeps } from '../../server/admin/admin-deps.js';
import type { AuditLog } from '../../server/safety/audit/audit-log.js';
import type { StoredRecord } from '../../server/safety/audit/audit-record.js';
import { silentLogger } from '../../server/log.js';
import { intent, openLog, readAll, removeTempDirs, tempDir } from '../safety/audit/audit-helpers.js';

/**
 * The audit viewer's routes over real HTTP, on a real log of rotated files: what the WebGUI page
 * (through its bridge) asks for — pages, a record, verify, exports — and every bad parameter.
 */
let dir: string;
let log: AuditLog;
let server: Server;
let origin: string;
let all: StoredRecord[];

beforeAll(async () => {
  dir = await tempDir();
  log = await openLog(dir, { maxFileBytes: 16 * 1024, keepFiles: 1000 });
  for (let i = 0; i < 300; i++)
    await log.append(
      intent({
        tool: i % 10 === 3 ? 'docker_stop' : 'docker_list',
        target: { kind: 'container', ref: i === 150 ? '=HYPERLINK("x")' : `app-${i % 7}` },
        args: { i },
      }),
      false,
    );
  all = await readAll(dir);
  const deps = { recordEvent: async () => {} } as unknown as AdminDeps;
  // These tests read the log; moving it (POST /relocate) is the data placement's, tested in test/service/.
  const placement = {} as DataPlacement;
  const app = createAdminApp({ audit: auditRoutes(deps, log, placement) }, silentLogger);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await log.close();
  await removeTempDirs();
});

async function get(path: string) {
  const res = await fetch(origin + path);
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* CSV or NDJSON */
  }
  return { status: res.status, type: res.headers.get('content-type'), text, json };
}

describe('GET /api/audit', () => {
  it('pages newest first across rotated files with complete and scanned, every record exactly once', async () => {
    expect((await readdir(dir)).length).toBeGreaterThan(5);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/api/audit?limit=40${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.json).toMatchObject({ complete: true, scanned: { bytes: expect.any(Number) } });
      seen.push(...page.json.records.map((r: StoredRecord) => r.seq));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((r) => r.seq).reverse());
  });

  it.each([
    ['cursor=abc%21', 'cursor', 'the cursor is not valid'],
    ['limit=0', 'limit', 'Too small'],
    ['stage=maybe', 'stage', 'Invalid option'],
    ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from', 'must be before "to"'],
    ['colour=red', 'colour', 'unknown field'],
  ])('rejects %s with 400 naming the field', async (query, field, message) => {
    const res = await get(`/api/audit?${query}`);
    expect(res.status).toBe(400);
    expect(res.json.problems).toEqual([{ field, message: expect.stringContaining(message) }]);
  });
});

describe('GET /api/audit/record/:seq', () => {
  it('returns the whole record with its file and offset', async () => {
    const want = all[123] as StoredRecord;
    const res = await get(`/api/audit/record/${want.seq}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      record: want,
      file: expect.stringMatching(/^audit\./),
      offset: expect.any(Number),
    });
  });

  it('404 for a seq the log does not hold, 400 for what is not a seq', async () => {
    const missing = await get('/api/audit/record/99999');
    expect(missing).toMatchObject({
      status: 404,
      json: { error: 'The audit log holds no record with seq 99999.' },
    });
    for (const bad of ['0', 'abc', '-1', '1.5', '12345678901234567'])
      expect((await get(`/api/audit/record/${bad}`)).json.problems).toEqual([
        { field: 'seq', message: "must be a record's seq: a whole number from 1" },
      ]);
  });
});

describe('GET /api/audit/export', () => {
  it('streams CSV with a header, honours the filter, and defuses formulas', async () => {
    const res = await get('/api/audit/export?format=csv&tool=docker_stop');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/csv; charset=utf-8');
    const rows = res.text.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe(
      'time,seq,stage,tool,target,principal,client,outcome,event,reason,durationMs,args,id,hash',
    );
    expect(rows).toHaveLength(1 + all.filter((r) => r.tool === 'docker_stop').length);
    const all150 = await get('/api/audit/export?format=csv&target=hyperlink');
    expect(all150.text).toContain(`"container:=HYPERLINK(""x"")"`);
  });

  it('NDJSON stays the default and is the stored lines', async () => {
    const res = await get('/api/audit/export?tool=docker_stop');
    expect(res.type).toBe('application/x-ndjson');
    const stored = (
      await Promise.all(
        (await readdir(dir))
          .filter((n) => n.endsWith('.jsonl'))
          .sort()
          .map((n) => readFile(join(dir, n), 'utf8')),
      )
    )
      .join('')
      .split('\n')
      .filter((l) => l.includes('"tool":"docker_stop"'));
    expect(res.text.trim().split('\n').sort()).toEqual(stored.sort());
  });

  it('rejects an unknown format precisely', async () => {
    const res = await get('/api/audit/export?format=xlsx');
    expect(res.status).toBe(400);
    expect(res.json.problems).toEqual([
      { field: 'format', message: 'must be "ndjson" (JSON Lines, every field) or "csv" (a spreadsheet)' },
    ]);
  });
});

describe('GET /api/audit/verify', () => {
  it('says intact, resumes, and names the changed record after an edit', async () => {
    const first = await get('/api/audit/verify');
    expect(first.json).toMatchObject({ ok: true, summary: 'intact', brokenAtSeq: null });
    await log.append(intent(), false);
    expect((await get('/api/audit/verify')).json.checked).toMatchObject({ incremental: true, records: 1 });
    expect((await get('/api/audit/verify?full=1')).json.checked).toMatchObject({ incremental: false });
    expect((await get('/api/audit/verify?full=yes')).json.problems).toEqual([
      { field: 'full', message: 'must be 1 or 0 (true or false)' },
    ]);
    const file = (await readdir(dir)).filter((n) => /^audit\.\d{16}\.jsonl$/.test(n)).sort()[2] as string;
    const text = await readFile(join(dir, file), 'utf8');
    const line = text.split('\n')[1] as string;
    const seq = (JSON.parse(line) as StoredRecord).seq;
    await writeFile(join(dir, file), text.replace(line, line.replace('"claude"', '"mallet"')));
    const broken = (await get('/api/audit/verify')).json;
    expect(broken).toMatchObject({ ok: false, brokenAtSeq: seq });
    expect(broken.summary).toBe(
      `changed at record ${seq} (${file}, line 2): hash mismatch: the record was changed after it was written`,
    );
  });
});
