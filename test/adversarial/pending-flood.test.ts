import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { safetyTools } from '../helpers/test-tools.js';
import { testDocker } from '../helpers/docker.js';
import { readAudit } from '../helpers/audit-file.js';
import { PENDING_FILE } from '../../server/safety/confirm/pending-approvals.js';
import { MAX_PENDING_PER_TOKEN } from '../../server/safety/confirm/pending-limits.js';

/**
 * The attack: an agent token floods `approve`-mode calls. Each used to queue one more request for
 * the owner — 1,500 calls left 1,502 pending entries, buried the real ones in the WebGUI list, and
 * rewrote a 1.4 MB state file on every request. Now at most MAX_PENDING_PER_TOKEN wait per token (and
 * MAX_PENDING_TOTAL in all); the rest are refused at once with a plain message and audited as
 * refusals, nothing queued. The state is a journal: each change appends one line, and a restart
 * keeps exactly the requests that were pending.
 */
const td = testDocker();
const TARGET = 'umcp-adv-flood';
const EXTRA = 5;
let root: string;
let srv: TestServer;
let secrets: Record<string, string>;

const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const metaOf = (r: CallToolResult) =>
  r._meta?.['unraid-mcp/confirmation'] as { status: string; confirmationId?: string } | undefined;
const journal = () => join(root, 'state', PENDING_FILE);
const journalLines = async () => (await readFile(journal(), 'utf8')).split('\n').filter(Boolean);

async function start(): Promise<TestServer> {
  const s = await startTestServer({
    root,
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
    settingsCfg: 'APPROVAL_WAIT_SECONDS="5"\n',
    tokens: [
      { name: 'agent', scope: 'admin' },
      { name: 'other', scope: 'admin' },
    ],
  });
  Object.assign(s.secrets, secrets);
  return s;
}

async function pendingIds(s: TestServer, principal?: string): Promise<string[]> {
  const { json } = await s.admin('GET', '/api/confirmations');
  return (json.confirmations as Array<{ id: string; status: string; principal: string }>)
    .filter((c) => c.status === 'pending' && (principal === undefined || c.principal === principal))
    .map((c) => c.id)
    .sort();
}

beforeAll(async () => {
  await td.createContainer(TARGET);
  root = await mkdtemp(join(tmpdir(), 'umcp-adv-flood-'));
  secrets = {};
  srv = await start();
  secrets = { ...srv.secrets };
});
afterAll(async () => {
  await srv?.close();
  await td.cleanup();
  await rm(root, { recursive: true, force: true });
});

describe('a flood of approve-mode calls from one token', () => {
  let queued: string[] = [];

  it(
    `queues ${MAX_PENDING_PER_TOKEN}, refuses the other ${EXTRA} at once with a clear message, audited as refusals`,
    { timeout: 60_000 },
    async () => {
      const agent = await srv.connect('agent');
      const started = Date.now();
      const results = (await Promise.all(
        Array.from({ length: MAX_PENDING_PER_TOKEN + EXTRA }, () =>
          agent.callTool({ name: 'test_remove', arguments: { id: TARGET } }, undefined, { timeout: 30_000 }),
        ),
      )) as CallToolResult[];
      expect(Date.now() - started).toBeLessThan(20_000);

      const pending = results.filter((r) => metaOf(r)?.status === 'pending');
      const refused = results.filter((r) => metaOf(r)?.status === 'too_many_pending');
      expect(pending).toHaveLength(MAX_PENDING_PER_TOKEN);
      expect(refused).toHaveLength(EXTRA);
      for (const r of refused) {
        expect(r.isError).toBe(true);
        expect(textOf(r)).toMatch(
          new RegExp(
            `^${MAX_PENDING_PER_TOKEN} approvals from this token are already waiting for the owner \\(the limit is ${MAX_PENDING_PER_TOKEN} per token\\), so this one was not queued\\. Nothing was done\\. ` +
              'Ask the user to approve or deny them in the Unraid WebGUI \\(Settings → unraid-mcp\\) or with "unraid-mcp confirm list", ' +
              'or wait for them to expire \\(the first expires at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); then call test_remove again\\.$',
          ),
        );
      }
      queued = pending.map((r) => metaOf(r)?.confirmationId as string).sort();
      expect(await pendingIds(srv, 'agent')).toEqual(queued);

      // Nothing was queued for the refused calls: one journal line per request that was.
      expect(await journalLines()).toHaveLength(MAX_PENDING_PER_TOKEN);

      const audit = await readAudit(srv.env.auditDir);
      const events = audit.filter((r) => r.event === 'confirmation.refused');
      expect(events).toHaveLength(EXTRA);
      for (const e of events)
        expect(e.details).toEqual({
          reason: 'too_many_pending',
          scope: 'token',
          waiting: MAX_PENDING_PER_TOKEN,
          limit: MAX_PENDING_PER_TOKEN,
        });
      const outcomes = audit.filter(
        (r) => r.stage === 'outcome' && r.decision.rule === 'too_many_pending_approvals',
      );
      expect(outcomes).toHaveLength(EXTRA);
      for (const o of outcomes)
        expect(o).toMatchObject({
          principal: 'agent',
          tool: 'test_remove',
          decision: { allowed: false },
          result: { status: 'error', message: 'refused: too many pending approvals' },
        });
    },
  );

  it(
    'another token still gets its request queued, and each change adds one journal line, not the whole set',
    {
      timeout: 30_000,
    },
    async () => {
      const before = (await stat(journal())).size;
      const linesBefore = await journalLines();
      const other = await srv.connect('other');
      const call = other.callTool({ name: 'test_remove', arguments: { id: TARGET } });
      let id: string | undefined;
      for (let i = 0; i < 100 && !id; i++) {
        id = (await pendingIds(srv, 'other'))[0];
        if (!id) await new Promise((r) => setTimeout(r, 50));
      }
      expect(id).toBeDefined();
      const created = (await stat(journal())).size;
      const lines = await journalLines();
      expect(lines.slice(0, -1)).toEqual(linesBefore);
      expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ id, status: 'pending' });
      // One line (the new request), while the whole set is twenty times that.
      expect(created - before).toBe(Buffer.byteLength(lines.at(-1) as string) + 1);
      expect(created - before).toBeLessThan(before / 10);

      await srv.admin('POST', `/api/confirmations/${id}/deny`, { reason: 'not now' });
      expect(textOf((await call) as CallToolResult)).toBe(
        'The owner denied this action (not now). Nothing was done.',
      );
      const decided = await journalLines();
      expect(decided).toHaveLength(lines.length + 1);
      expect(JSON.parse(decided.at(-1) as string)).toMatchObject({ id, status: 'denied' });
      expect((await stat(journal())).size - created).toBeLessThan(before / 10);
    },
  );

  it(
    'a restart keeps exactly the pending requests, and the limit still holds',
    { timeout: 30_000 },
    async () => {
      await srv.close();
      srv = await start();
      expect(await pendingIds(srv, 'agent')).toEqual(queued);
      expect(await pendingIds(srv, 'other')).toEqual([]);
      // Compacted at load: one line per entry kept (the agent's requests and the other token's denial).
      expect(await journalLines()).toHaveLength(queued.length + 1);
      const agent = await srv.connect('agent');
      const res = (await agent.callTool({
        name: 'test_remove',
        arguments: { id: TARGET },
      })) as CallToolResult;
      expect(metaOf(res)?.status).toBe('too_many_pending');
      expect(await pendingIds(srv, 'agent')).toEqual(queued);
    },
  );
});
