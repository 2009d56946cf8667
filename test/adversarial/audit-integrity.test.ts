import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';
import { readAll } from '../safety/audit/audit-helpers.js';
import { auditVerifyCommand } from '../../server/safety/audit/audit-cli.js';
import type { VerifyReport } from '../../server/safety/audit/audit-verify.js';
import type { AuditStatus } from '../../server/safety/audit/audit-log.js';

/**
 * The attack: someone with a shell on the server hides what an agent did by changing the audit log
 * under the running sidecar — `mv audit.jsonl` away, `sed -i` to drop records (a new file renamed
 * over the old one), cutting the first or last lines — while the sidecar kept writing into the file
 * it had open and its status said all was well, and verify called a log missing its first records
 * "OK, chain starts at seq 9". Now the writer compares the path with its open file before every
 * batch, restores what it wrote from that file, records `audit.file-replaced` in the chain and
 * shows it in the status; audit.anchor.json names the log's real start and end for verify.
 */
let srv: TestServer | null = null;
const roots: string[] = [];
afterEach(async () => {
  await srv?.close();
  srv = null;
});
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const livePath = (s: TestServer) => join(s.env.auditDir, 'audit.jsonl');

async function echo(client: Client, message: string): Promise<CallToolResult> {
  return (await client.callTool({ name: 'test_echo', arguments: { message } })) as CallToolResult;
}

/** `n` calls in three concurrent streams, running `attack` once `after` calls have completed. */
async function callsDuring(client: Client, n: number, after: number, attack: () => Promise<void>) {
  const results: CallToolResult[] = [];
  let next = 0;
  let attacked: Promise<void> = Promise.resolve();
  const stream = async () => {
    while (next < n) {
      const i = next++;
      results.push(await echo(client, `call ${i}`));
      if (results.length === after) attacked = attack();
    }
  };
  await Promise.all([stream(), stream(), stream()]);
  await attacked;
  return results;
}

async function status(s: TestServer): Promise<AuditStatus> {
  return ((await s.admin('GET', '/api/status')).json as { audit: AuditStatus }).audit;
}

async function verify(s: TestServer): Promise<VerifyReport> {
  const res = await s.admin('GET', '/api/audit/verify');
  expect(res.status).toBe(200);
  return res.json as VerifyReport;
}

/** Every call's intent and outcome, wherever in the log's files it is now. */
async function echoRecords(dir: string) {
  const recs = await readAll(dir);
  return {
    recs,
    intents: recs.filter((r) => r.stage === 'intent' && r.tool === 'test_echo').length,
    outcomes: recs.filter((r) => r.stage === 'outcome' && r.tool === 'test_echo').length,
    replaced: recs.filter((r) => r.stage === 'event' && r.event === 'audit.file-replaced') as Array<{
      seq: number;
      details: Record<string, unknown>;
    }>,
  };
}

describe('the live audit file changed under the running sidecar while calls continue', () => {
  it('mv audit.jsonl elsewhere: the records come back, the event is in the chain, status and verify say what happened', async () => {
    srv = await startTestServer({ tools: testTools });
    const client = await srv.connect();
    const dir = srv.env.auditDir;
    const results = await callsDuring(client, 30, 10, () => rename(livePath(srv!), join(dir, 'moved.jsonl')));
    for (const r of results) expect(r.isError).toBeFalsy();

    const after = await echoRecords(dir);
    expect([after.intents, after.outcomes]).toEqual([30, 30]);
    expect(after.replaced).toHaveLength(1);
    expect(after.replaced[0]?.details).toMatchObject({
      found: 'missing',
      movedTo: 'moved.jsonl',
      restoredTo: 'audit.0000000000000001.jsonl',
    });
    // The new audit.jsonl continues the chain right after the records of the moved file.
    const live = (await readFile(livePath(srv), 'utf8')).split('\n').filter(Boolean);
    const restored = (await readFile(join(dir, 'audit.0000000000000001.jsonl'), 'utf8')).split('\n');
    const lastRestored = JSON.parse(restored.at(-2) as string) as { seq: number; hash: string };
    expect(JSON.parse(live[0] as string)).toMatchObject({
      seq: lastRestored.seq + 1,
      prev: lastRestored.hash,
    });

    const st = await status(srv);
    expect(st).toMatchObject({ ok: false, open: true, unavailable: null });
    expect(st.incidents).toEqual([
      {
        time: expect.any(String) as string,
        kind: 'file-replaced',
        message: expect.stringContaining(
          'audit.jsonl was moved away or deleted while the sidecar was writing it (it is now moved.jsonl)',
        ) as string,
      },
    ]);
    const report = await verify(srv);
    expect(report).toMatchObject({ ok: true, firstSeq: 1, problem: null });
    expect(report.incidents).toEqual([
      expect.objectContaining({ event: 'audit.file-replaced', seq: after.replaced[0]?.seq }),
    ]);
  });

  it('sed -i deleting the outcome records: the edited copy is set aside, every record is back, verify reports the replacement', async () => {
    srv = await startTestServer({ tools: testTools });
    const client = await srv.connect();
    const dir = srv.env.auditDir;
    const results = await callsDuring(client, 30, 10, async () => {
      execFileSync('sed', ['-i', '/"stage":"outcome"/d', livePath(srv!)]);
    });
    for (const r of results) expect(r.isError).toBeFalsy();

    const after = await echoRecords(dir);
    expect([after.intents, after.outcomes]).toEqual([30, 30]);
    const aside = (await readdir(dir)).find((n) => n.startsWith('audit.jsonl.replaced-')) as string;
    expect(await readFile(join(dir, aside), 'utf8')).not.toContain('"stage":"outcome"');
    expect(after.replaced[0]?.details).toMatchObject({ found: 'other-inode', setAside: aside });
    expect((await status(srv)).incidents.map((i) => i.kind)).toEqual(['file-replaced']);
    const report = await verify(srv);
    expect(report).toMatchObject({ ok: true, firstSeq: 1, problem: null });
    expect(report.incidents[0]?.message).toMatch(
      /^audit\.jsonl was replaced by another file \(\d+ bytes; an editor or sed -i writes a new file and renames it over the old one\), now set aside as audit\.jsonl\.replaced-/,
    );
  });
});

describe('records cut from the log', () => {
  it('the first lines deleted in place while the sidecar runs: verify through the admin API names the cut head', async () => {
    srv = await startTestServer({ tools: testTools });
    const client = await srv.connect();
    for (let i = 0; i < 10; i++) expect((await echo(client, `call ${i}`)).isError).toBeFalsy();
    const lines = (await readFile(livePath(srv), 'utf8')).split('\n').filter(Boolean);
    await writeFile(
      livePath(srv),
      lines
        .slice(8)
        .map((l) => l + '\n')
        .join(''),
    );

    const report = await verify(srv);
    expect(report.problem).toEqual({
      file: 'audit.jsonl',
      line: 1,
      seq: 9,
      kind: 'cut-head',
      message:
        'the log should start at seq 1 (audit.anchor.json), but its first record is seq 9: seq 1–8 (8 records) were deleted from the start of audit.jsonl',
    });
    expect((await status(srv)).ok).toBe(false);
    // The calls go on, and the cut stays reported.
    expect((await echo(client, 'after')).isError).toBeFalsy();
    expect((await verify(srv)).problem?.kind).toBe('cut-head');
  });

  it('the first lines deleted while the sidecar is stopped: `audit verify` names the cut head, and the restarted sidecar reports it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'umcp-adv-audit-'));
    roots.push(root);
    srv = await startTestServer({ tools: testTools, root });
    const client = await srv.connect();
    for (let i = 0; i < 10; i++) expect((await echo(client, `call ${i}`)).isError).toBeFalsy();
    const dir = srv.env.auditDir;
    await srv.close();
    srv = null;
    execFileSync('sed', ['-i', '1,8d', join(dir, 'audit.jsonl')]);

    const out: string[] = [];
    const code = await auditVerifyCommand([], dir, { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(code).toBe(1);
    expect(out[0]).toBe(
      'BROKEN: audit.jsonl line 1 (seq 9): the log should start at seq 1 (audit.anchor.json), but its first record is seq 9: seq 1–8 (8 records) were deleted from the start of audit.jsonl',
    );

    srv = await startTestServer({ tools: testTools, root });
    expect((await status(srv)).incidents).toEqual([
      expect.objectContaining({
        kind: 'head-cut',
        message:
          'the log starts at seq 9, but audit.anchor.json says it starts at seq 1: 8 record(s) were deleted from its start while the sidecar was not running',
      }),
    ]);
    expect((await verify(srv)).problem).toMatchObject({ line: 1, seq: 9, kind: 'cut-head' });
  });

  it('the tail truncated while the sidecar runs: verify through the admin API reports it at once, before any further call', async () => {
    srv = await startTestServer({ tools: testTools });
    const client = await srv.connect();
    for (let i = 0; i < 10; i++) expect((await echo(client, `call ${i}`)).isError).toBeFalsy();
    const text = await readFile(livePath(srv), 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const kept = lines.slice(0, -3);
    const lastKept = JSON.parse(kept.at(-1) as string) as { seq: number };
    const lastWritten = JSON.parse(lines.at(-1) as string) as { seq: number };
    await truncate(livePath(srv), kept.join('\n').length + 1);

    const report = await verify(srv);
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ file: 'audit.jsonl', line: kept.length + 1, kind: 'missing' });
    expect(report.problem?.message).toBe(
      `seq gap: expected ${lastKept.seq + 1}, found ${lastWritten.seq + 1}: seq ${lastKept.seq + 1}–${lastWritten.seq} (3 records) are missing (deleted)`,
    );
    expect(report.incidents[0]?.message).toBe(
      `audit.jsonl holds ${kept.join('\n').length + 1} bytes, but ${text.length} were written to it: it was cut or rewritten in place. The last record on disk is seq ${lastKept.seq}; seq ${lastKept.seq + 1}–${lastWritten.seq} (3 records) are gone. The chain continues after seq ${lastWritten.seq}.`,
    );
    expect((await status(srv)).incidents.map((i) => i.kind)).toEqual(['file-replaced']);
    const next = await echo(client, 'after');
    expect(textOf(next)).toContain('after');
  });
});
