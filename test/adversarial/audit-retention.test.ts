import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';
import { intent, readAll } from '../safety/audit/audit-helpers.js';
import { AuditLog, DEFAULT_MAX_FILE_BYTES } from '../../server/safety/audit/audit-log.js';
import { chainEntry } from '../../server/safety/audit/hash-chain.js';
import type { AuditEvent } from '../../server/safety/audit/audit-record.js';
import { silentLogger } from '../../server/log.js';

/**
 * The attack: flood the sidecar with calls so that rotation (10 MiB files, 10 kept) deletes the
 * oldest audit files — the record of what was done before the flood. On persistent storage a
 * rotated file younger than the retention period (30 days) is now never deleted; when the disk
 * runs short instead (below AUDIT_MIN_FREE_MB at rotation), the log refuses records and so every
 * call ("no audit, no action"), and tells the owner.
 *
 * Filling ten 10 MiB files through real calls would take minutes, so each test starts from a log
 * already at that point — rotated files made beforehand and an audit.jsonl a few hundred bytes short
 * of 10 MiB — and the calls of the test make the server itself rotate.
 */
const DAY = 86_400_000;
const roots: string[] = [];
let srv: TestServer | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

const rotated = async (dir: string) => (await readdir(dir)).filter((n) => /^audit\.\d{16}/.test(n)).sort();
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

/**
 * A root for startTestServer whose audit directory holds `files` rotated files (the first one's
 * records `oldDays` old, the others from today) and an audit.jsonl that the next call's records
 * push past 10 MiB.
 */
async function logAtTheLimit(files: number, oldDays: number): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'umcp-adv-retention-'));
  roots.push(root);
  const dir = join(root, 'audit');
  const now = new Date();
  const seed = new AuditLog({
    dir,
    persistent: true,
    log: silentLogger,
    maxFileBytes: 4096,
    keepFiles: 1000,
  });
  await seed.open();
  while ((await rotated(dir)).length < files) {
    const old = (await rotated(dir)).length === 0;
    const time = new Date(now.getTime() - (old ? oldDays * DAY : 60_000)).toISOString();
    await seed.append(intent({ time, args: { pad: 'x'.repeat(300) } }), false);
  }
  await seed.close();
  const fill = new AuditLog({ dir, persistent: true, log: silentLogger, keepFiles: 1000 });
  await fill.open();
  const status = fill.status();
  const event = (pad: string): AuditEvent => ({
    id: 'seed-fill',
    time: now.toISOString(),
    stage: 'event',
    principal: 'system',
    event: 'test.fill',
    details: { pad },
  });
  const overhead = chainEntry(event(''), { seq: status.seq, hash: status.lastHash }).line.length + 1;
  await fill.append(
    event('y'.repeat(DEFAULT_MAX_FILE_BYTES - status.currentFileBytes - overhead - 200)),
    true,
  );
  expect(fill.status().currentFileBytes).toBe(DEFAULT_MAX_FILE_BYTES - 200);
  await fill.close();
  return { root, dir };
}

/** `n` calls, 16 at a time (below the sidecar's limit on calls running at once). */
async function flood(client: Client, n: number): Promise<CallToolResult[]> {
  const results: CallToolResult[] = [];
  for (let start = 0; start < n; start += 16) {
    const wave = Array.from({ length: Math.min(16, n - start) }, (_, k) => start + k);
    results.push(
      ...(await Promise.all(
        wave.map(
          async (i) =>
            (await client.callTool({
              name: 'test_echo',
              arguments: { message: `${i} ${'z'.repeat(190)}` },
            })) as CallToolResult,
        ),
      )),
    );
  }
  return results;
}

describe('a flood of calls on persistent storage', () => {
  it('rotates, but deletes no audit file younger than the retention period (only the one past it)', async () => {
    const { root, dir } = await logAtTheLimit(12, 40);
    const before = await rotated(dir);
    expect(before).toHaveLength(12);
    srv = await startTestServer({ tools: testTools, root });
    const client = await srv.connect();
    const results = await flood(client, 40);
    for (const r of results) expect(r.isError).toBeFalsy();

    // The server rotated audit.jsonl: 13 rotated files, 3 over the keep-10 count. Only the first,
    // 40 days old, was deleted; the two young ones are kept beyond the count.
    const after = await rotated(dir);
    expect(after).toHaveLength(12);
    expect(after.slice(0, 11)).toEqual(before.slice(1));
    const recs = await readAll(dir);
    const away = recs.filter((r) => r.stage === 'event' && r.event === 'audit.rotated-away') as Array<{
      details: Record<string, unknown>;
    }>;
    expect(away).toHaveLength(1);
    expect(away[0]?.details).toMatchObject({ deleted: [before[0]], keepFiles: 10, retentionDays: 30 });
    expect(recs.filter((r) => r.stage === 'intent' && r.tool === 'test_echo')).toHaveLength(40);

    const status = (await srv.admin('GET', '/api/status')).json as {
      audit: { ok: boolean; keptForRetention: number; retentionDays: number; persistent: boolean };
    };
    expect(status.audit).toMatchObject({
      ok: true,
      persistent: true,
      keptForRetention: 2,
      retentionDays: 30,
    });
    const report = (await srv.admin('GET', '/api/audit/verify')).json as { ok: boolean; firstSeq: number };
    expect(report.ok).toBe(true);
  });
});

describe('the disk running short on persistent storage', () => {
  it('refuses the calls with audit_unavailable, tells the owner (event, status, readiness), and resumes when the floor is lowered', async () => {
    const { root, dir } = await logAtTheLimit(2, 1);
    // Simulated: a floor 1 GiB above the free space the test directory really has.
    const fs = await statfs(dir);
    const floorMiB = Math.ceil((fs.bavail * fs.bsize) / 2 ** 20) + 1024;
    srv = await startTestServer({ tools: testTools, root, settingsCfg: `AUDIT_MIN_FREE_MB="${floorMiB}"\n` });
    const client = await srv.connect();

    const refused = await flood(client, 3);
    for (const r of refused) {
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain(
        'The audit log cannot be written, so unraid-mcp refuses to act. Ask the owner to check the audit directory',
      );
    }
    // Nothing was rotated away, and the reason is the last record on disk.
    expect(await rotated(dir)).toHaveLength(2);
    const last = (await readAll(dir)).at(-1) as { event?: string; details?: Record<string, unknown> };
    expect(last).toMatchObject({ event: 'audit.space-low', details: { floorBytes: floorMiB * 2 ** 20 } });
    expect(last.details?.note).toMatch(
      new RegExp(
        `less than the floor of ${floorMiB} MiB \\(AUDIT_MIN_FREE_MB\\)\\. Rotated audit files younger than 30 days`,
      ),
    );

    const status = (await srv.admin('GET', '/api/status')).json as {
      backends: { audit: { up: boolean; reason?: string } };
      audit: { ok: boolean; unavailable: { message: string; refusedRecords: number } | null };
    };
    expect(status.audit.ok).toBe(false);
    expect(status.audit.unavailable?.refusedRecords).toBe(3);
    expect(status.audit.unavailable?.message).toContain(`cannot be written: only `);
    expect(status.backends.audit).toEqual({ up: false, reason: status.audit.unavailable?.message });
    const ready = await fetch(`${srv.origin}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { unavailable: string[] }).unavailable).toContain('audit');

    // The owner lowers the floor; the next record says how many were refused, and calls run again.
    const got = await srv.admin('GET', '/api/settings');
    const put = await srv.admin(
      'PUT',
      '/api/settings',
      { auditMinFreeBytes: 0 },
      { 'If-Match': `"${(got.json as { revision: string }).revision}"` },
    );
    expect(put.status).toBe(200);
    const ok = await flood(client, 2);
    for (const r of ok) expect(r.isError).toBeFalsy();
    const recs = await readAll(dir);
    expect(recs.find((r) => r.stage === 'event' && r.event === 'audit.writes-resumed')).toMatchObject({
      details: { refusedRecords: 3 },
    });
    expect(await rotated(dir)).toHaveLength(3);
    expect(((await srv.admin('GET', '/api/status')).json as { audit: { ok: boolean } }).audit.ok).toBe(true);
  });
});
