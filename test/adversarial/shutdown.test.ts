import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { startTestServer, mcpHeaders, INIT_BODY, type TestServer } from '../helpers/start-server.js';
import { testSlow } from '../helpers/test-tools.js';
import { testDocker } from '../helpers/docker.js';
import { readAudit, type AuditLine } from '../helpers/audit-file.js';
import { readMessages } from '../helpers/sse.js';
import { assertBuilt, runCli, serve, tempEnv } from '../helpers/cli.js';
import { defineTool } from '../../server/tools/define-tool.js';

/**
 * The attack (or the accident): the sidecar is stopped (SIGTERM → service.shutdown) while a client's
 * change is still running. The client used to get an empty 200 — no answer at all — and the audit
 * log said the client had cancelled, while Docker went on with the change. Now every call still
 * running at the shutdown deadline is answered with a JSON-RPC error saying the service is stopping
 * and that the change may still complete, its outcome record is written before the audit log
 * closes, and a request still open when its session closes is answered by the transport, never
 * with silence.
 */
const td = testDocker();
const TARGET = 'umcp-adv-shutdown';
/** A second container, so two slow changes run side by side instead of one waiting for the other's lock. */
const OTHER = 'umcp-adv-shutdown-2';
/** Runs `sleep` as PID 1 with no init: SIGTERM does nothing to it, so docker_stop waits its full timeout. */
const DEAF = 'umcp-adv-shutdown-deaf';
const DEADLINE_MS = 300;

/** test_slow (honours its signal), acting on this file's own containers. */
const slow = defineTool({ ...testSlow, target: () => ({ kind: 'container', ref: TARGET }) });
const slowOther = defineTool({
  ...testSlow,
  name: 'test_slow_other',
  target: () => ({ kind: 'container', ref: OTHER }),
});

/** A change that ignores its signal: its work goes on after the call was answered. */
let stubbornFinished = 0;
const stubborn = defineTool({
  name: 'test_stubborn',
  title: 'Stubborn change',
  description: 'Waits `ms` whatever happens, then counts itself finished.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({ ms: z.number().int().min(0).max(10_000) }).strict(),
  output: z.object({ finished: z.number() }),
  target: () => ({ kind: 'container', ref: TARGET }),
  run: async ({ ms }) => {
    await new Promise((r) => setTimeout(r, ms));
    return { finished: ++stubbornFinished };
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await td.createContainer(TARGET);
  await td.createContainer(OTHER);
});
afterAll(async () => {
  await td.cleanup();
});

async function startServer(): Promise<TestServer> {
  return startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: [slow, slowOther, stubborn],
    tokens: [{ name: 'agent', scope: 'admin' }],
  });
}

/** Waits until `tools` have `count` intent records with an allowed decision: those calls are past every check. */
async function waitForIntents(srv: TestServer, tool: string | RegExp, count: number): Promise<AuditLine[]> {
  for (let i = 0; i < 200; i++) {
    const intents = (await readAudit(srv.env.auditDir)).filter(
      (r) => r.stage === 'intent' && r.decision.allowed && new RegExp(tool).test(r.tool ?? ''),
    );
    if (intents.length >= count) return intents;
    await sleep(25);
  }
  throw new Error(`${tool} never got ${count} intent records`);
}

/** A raw session (no SDK client), to see exactly what goes over the wire. */
async function rawSession(srv: TestServer): Promise<Record<string, string>> {
  const secret = srv.secrets.agent as string;
  const init = await fetch(srv.url, {
    method: 'POST',
    headers: mcpHeaders(secret),
    body: JSON.stringify(INIT_BODY),
  });
  await readMessages(init);
  return mcpHeaders(secret, {
    'mcp-session-id': init.headers.get('mcp-session-id') as string,
    'mcp-protocol-version': '2025-11-25',
  });
}

describe('a shutdown while a change is still running', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  it(
    'answers the call with a JSON-RPC error naming the shutdown (not an empty 200, not "cancelled"), and audits its outcome',
    { timeout: 30_000 },
    async () => {
      const client = await srv.connect('agent');
      const viaSdk = client.callTool({ name: 'test_slow', arguments: { steps: 20, delayMs: 500 } }).then(
        (r) => ({ result: r as CallToolResult }),
        (err: unknown) => ({ err }),
      );
      const headers = await rawSession(srv);
      const viaHttp = fetch(srv.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'test_slow_other', arguments: { steps: 20, delayMs: 500 } },
        }),
      });
      await waitForIntents(srv, /^test_slow/, 2);

      const started = performance.now();
      await srv.service.shutdown(DEADLINE_MS);
      // The deadline, then the answers: not the ten seconds the calls would have taken.
      expect(performance.now() - started).toBeLessThan(5_000);

      // Over the wire: a 200 whose body is a JSON-RPC error for request 7, never an empty body.
      const res = await viaHttp;
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      const messages = await readMessages(res);
      expect(messages).toHaveLength(1);
      const answer = messages[0] as {
        id: number;
        result?: unknown;
        error: { code: number; message: string; data: unknown };
      };
      expect(answer.id).toBe(7);
      expect(answer.result).toBeUndefined();
      expect(answer.error.code).toBe(-32000);
      expect(answer.error.data).toEqual({ reason: 'shutting_down' });
      // "was started" once the pipeline's deadline step words it (it knows the tool had begun);
      // "may have started" when only the session can tell.
      expect(answer.error.message).toMatch(
        new RegExp(
          `^unraid-mcp is shutting down; test_slow_other on "${OTHER}" was started and may still complete — check its state after the restart\\.$`,
        ),
      );

      // Through the SDK client: the call fails with the same kind of error (it is not a tool result).
      const sdk = await viaSdk;
      expect('err' in sdk).toBe(true);
      const err = (sdk as { err: unknown }).err;
      expect(err).toBeInstanceOf(McpError);
      expect((err as McpError).code).toBe(-32000);
      expect((err as McpError).data).toEqual({ reason: 'shutting_down' });
      expect((err as McpError).message).toMatch(
        new RegExp(
          `^MCP error -32000: unraid-mcp is shutting down; test_slow on "${TARGET}" was started and may still complete — check its state after the restart\\.$`,
        ),
      );

      // Both calls have their outcome record, written before the audit log closed.
      const records = await readAudit(srv.env.auditDir);
      const intents = records.filter((r) => /^test_slow/.test(r.tool ?? '') && r.stage === 'intent');
      expect(intents).toHaveLength(2);
      for (const intent of intents) {
        const outcome = records.find((r) => r.stage === 'outcome' && r.intent === intent.id);
        expect(outcome?.result).toMatchObject({ status: 'error', code: 'shutting_down' });
      }
    },
  );
});

describe('a change that ignores its signal, and one queued behind it, at shutdown', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  it(
    'answers the running one at once, says its work may still complete (and it does), and the transport answers the queued one before closing',
    { timeout: 30_000 },
    async () => {
      stubbornFinished = 0;
      const headers = await rawSession(srv);
      const call = (id: number) =>
        fetch(srv.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: 'test_stubborn', arguments: { ms: 4_000 } },
          }),
        }).then(async (res) => ({ status: res.status, messages: await readMessages(res) }));
      const running = call(1);
      await waitForIntents(srv, 'test_stubborn', 1);
      // The second change of the same container waits for the first one's lock.
      const queued = call(2);
      await sleep(200);

      const stopping = srv.service.shutdown(DEADLINE_MS);
      const first = await running;
      // Answered while its work still runs: the message's "may still complete" is the truth.
      expect(stubbornFinished).toBe(0);
      expect(first.status).toBe(200);
      expect(first.messages).toEqual([
        {
          jsonrpc: '2.0',
          id: 1,
          error: {
            code: -32000,
            message: expect.stringMatching(
              new RegExp(
                `^unraid-mcp is shutting down; test_stubborn on "${TARGET}" was started and may still complete — check its state after the restart\\.$`,
              ),
            ) as unknown,
            data: { reason: 'shutting_down' },
          },
        },
      ]);

      // The queued call cannot answer before the lock frees; when its session closes the transport
      // answers it with the shutdown error rather than ending the response empty.
      const second = await queued;
      await stopping;
      expect(second.status).toBe(200);
      expect(second.messages).toEqual([
        {
          jsonrpc: '2.0',
          id: 2,
          error: {
            code: -32000,
            message:
              'unraid-mcp is shutting down; this request had not finished and may still complete — check its effect after the restart.',
            data: { reason: 'shutting_down' },
          },
        },
      ]);

      // The first change did complete after its answer, as the message warned.
      for (let i = 0; i < 100 && stubbornFinished === 0; i++) await sleep(50);
      expect(stubbornFinished).toBeGreaterThanOrEqual(1);

      // The running call's outcome was recorded before the audit log closed.
      const records = await readAudit(srv.env.auditDir);
      const intent = records.find((r) => r.tool === 'test_stubborn' && r.stage === 'intent');
      const outcome = records.find((r) => r.stage === 'outcome' && r.intent === intent?.id);
      expect(outcome?.result).toMatchObject({ status: 'error', code: 'shutting_down' });
    },
  );
});

describe('a call that arrives once the shutdown has begun', () => {
  it('is refused with 503 on /mcp, before any tool runs', async () => {
    const srv = await startServer();
    try {
      const headers = await rawSession(srv);
      const stopping = srv.service.shutdown(DEADLINE_MS);
      const res = await fetch(srv.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'test_stubborn', arguments: { ms: 0 } },
        }),
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        'The server is shutting down.',
      );
      await stopping;
      expect((await readAudit(srv.env.auditDir)).filter((r) => r.tool === 'test_stubborn')).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});

describe('SIGTERM to `unraid-mcp serve` while docker_stop waits for a container that ignores SIGTERM', () => {
  it(
    'answers docker_stop with the shutdown error after the drain deadline, records its outcome, and exits 0',
    { timeout: 60_000 },
    async () => {
      assertBuilt();
      const c = await td.docker.createContainer({
        name: DEAF,
        Image: inject('testImage'),
        Cmd: ['sleep', '3600'],
        HostConfig: { NetworkMode: 'none', Init: false },
      });
      try {
        await c.start();
        const env = await tempEnv({ DOCKER_HOST: `unix://${inject('dockerSocket')}` });
        const created = await runCli(['token', 'create', '--name', 'agent', '--scope', 'operate'], env);
        const secret = created.stdout.trim().split('\n').pop() as string;
        await writeFile(
          join(env.UNRAID_MCP_CONFIG_DIR as string, 'policy.json'),
          JSON.stringify({ version: 1, confirmModes: { docker_stop: 'none' } }),
        );
        const s = await serve(env);
        let exit: Promise<number | null> | null = null;
        try {
          const init = await fetch(s.url, {
            method: 'POST',
            headers: mcpHeaders(secret),
            body: JSON.stringify(INIT_BODY),
          });
          await readMessages(init);
          const headers = mcpHeaders(secret, {
            'mcp-session-id': init.headers.get('mcp-session-id') as string,
            'mcp-protocol-version': '2025-11-25',
          });
          const call = fetch(s.url, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: 5,
              method: 'tools/call',
              params: { name: 'docker_stop', arguments: { id: DEAF, timeout: 40 } },
            }),
          });
          const auditDir = env.UNRAID_MCP_AUDIT_DIR as string;
          for (let i = 0; i < 200; i++) {
            const records = await readAudit(auditDir).catch(() => []);
            if (records.some((r) => r.tool === 'docker_stop' && r.stage === 'intent')) break;
            await sleep(25);
          }
          exit = s.stop(); // SIGTERM; the service lets calls run for its deadline (10 s), then answers them
          const res = await call;
          expect(res.status).toBe(200);
          const messages = await readMessages(res);
          expect(messages).toHaveLength(1);
          expect(messages[0]).toMatchObject({
            jsonrpc: '2.0',
            id: 5,
            error: { code: -32000, data: { reason: 'shutting_down' } },
          });
          expect((messages[0] as { error: { message: string } }).error.message).toMatch(
            new RegExp(
              `^unraid-mcp is shutting down; docker_stop on "${DEAF}" was started and may still complete — check its state after the restart\\.$`,
            ),
          );
          expect(await exit).toBe(0);
          expect(s.stderr()).toContain('"msg":"shutting down with tool calls still running"');
          const records = await readAudit(auditDir);
          const intent = records.find((r) => r.tool === 'docker_stop' && r.stage === 'intent');
          const outcome = records.find((r) => r.stage === 'outcome' && r.intent === intent?.id);
          expect(outcome?.result).toMatchObject({ status: 'error', code: 'shutting_down' });
        } finally {
          await (exit ?? s.stop());
        }
      } finally {
        await c.remove({ force: true }).catch(() => {});
      }
    },
  );
});
