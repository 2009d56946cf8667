import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';
import { readAudit } from '../helpers/audit-file.js';
import { defineTool } from '../../server/tools/define-tool.js';
import { DEFAULT_SETTINGS } from '../../server/config/settings.js';
import { RATE_LIMITED_EVENT } from '../../server/mcp/pipeline/rate-limit-summaries.js';

/**
 * The attacks: a token floods the sidecar with calls. Each call costs CPU and two audit records, and
 * 400 calls running at once took the sidecar from 140 to 295 MB and /healthz to 2.5 s. Now each token
 * has a rate (TOKEN_CALLS_PER_SECOND, burst TOKEN_CALL_BURST) beyond which calls are refused at once,
 * audited as one summary a second, and at most MAX_CONCURRENT_CALLS run at once; the rest are told
 * the server is busy. Both answers say when to retry (`_meta.retryAfterMs`).
 */
const RATE = DEFAULT_SETTINGS.tokenCallsPerSecond;
const BURST = DEFAULT_SETTINGS.tokenCallBurst;
const CAP = DEFAULT_SETTINGS.maxConcurrentCalls;

const REPO = resolve(import.meta.dirname, '../..');
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const echo = { name: 'test_echo', arguments: { message: 'hi' } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A read tool that runs for `ms` and costs CPU while it runs, as real calls do (a log scan, a stats
 * poll): 0.5 ms of work every 50 ms. 32 of them use a third of a core; 400 would need four cores, and
 * the event loop (and so /healthz) would fall further behind the longer they ran. Counts how many of
 * it run at once.
 */
const load = { running: 0, most: 0 };
const testWait = defineTool({
  name: 'test_wait',
  title: 'Wait',
  description: 'Runs for `ms` milliseconds, working 0.5 ms every 50 ms.',
  toolset: 'system',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ ms: z.number().int().min(0).max(10_000) }).strict(),
  output: z.object({ waited: z.number() }),
  run: async ({ ms }) => {
    load.running++;
    load.most = Math.max(load.most, load.running);
    try {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await sleep(50);
        const until = performance.now() + 0.5;
        while (performance.now() < until);
      }
      return { waited: ms };
    } finally {
      load.running--;
    }
  },
});

async function countedCalls(srv: TestServer, secret: string, outcome: string): Promise<number> {
  const res = await fetch(`${srv.origin}/metrics`, { headers: { Authorization: `Bearer ${secret}` } });
  const text = await res.text();
  return [...text.matchAll(/^unraid_mcp_tool_calls_total\{([^}]*)\} (\d+)$/gm)]
    .filter((m) => (m[1] as string).includes(`outcome="${outcome}"`))
    .reduce((n, m) => n + Number(m[2]), 0);
}

describe('a burst of calls from one token beyond its rate', () => {
  let srv: TestServer;
  beforeAll(async () => {
    // The concurrency cap is raised here so that only the rate limit answers this burst.
    srv = await startTestServer({
      tools: testTools,
      tokens: [
        { name: 'flooder', scope: 'read' },
        { name: 'neighbour', scope: 'read' },
      ],
      settingsCfg: 'MAX_CONCURRENT_CALLS="1000"\n',
    });
  });
  afterAll(() => srv?.close());

  it(
    'gets the burst through, then a clear refusal with retryAfterMs, audited as summaries; other tokens are unaffected',
    { timeout: 60_000 },
    async () => {
      const flooder = await srv.connect('flooder');
      const t0 = performance.now();
      const results = (await Promise.all(
        Array.from({ length: 3 * BURST }, () => flooder.callTool(echo)),
      )) as CallToolResult[];
      const seconds = (performance.now() - t0) / 1000;
      const ok = results.filter((r) => !r.isError);
      const refused = results.filter((r) => r.isError);
      // The burst, plus what came back at RATE a second while the burst was being answered.
      expect(ok.length).toBeGreaterThanOrEqual(BURST);
      expect(ok.length).toBeLessThanOrEqual(BURST + Math.ceil(RATE * seconds));
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(textOf(r)).toMatch(
          new RegExp(
            `^Too many calls from this token \\(limit ${RATE} per second\\); retry after \\d+(\\.\\d)? s\\.$`,
          ),
        );
        const retryAfterMs = r._meta?.retryAfterMs as number;
        expect(retryAfterMs).toBeGreaterThan(0);
        expect(retryAfterMs).toBeLessThanOrEqual(1000 / RATE);
      }
      expect(await countedCalls(srv, srv.secrets.flooder as string, 'rate_limited')).toBe(refused.length);

      // Another token is not held back by this one's flood.
      const neighbour = await srv.connect('neighbour');
      expect((await neighbour.callTool(echo)).isError).toBeFalsy();

      // After waiting as told, the flooder's next call goes through.
      await sleep(Math.max(...refused.map((r) => r._meta?.retryAfterMs as number)));
      expect((await flooder.callTool(echo)).isError).toBeFalsy();

      // Audited: a record pair per call that ran, and the refused ones as at most a summary a second.
      await sleep(1100);
      const audit = await readAudit(srv.env.auditDir);
      const pairs = audit.filter((r) => r.stage !== 'event' && r.principal === 'flooder');
      expect(pairs).toHaveLength(2 * (ok.length + 1));
      const summaries = audit.filter((r) => r.event === RATE_LIMITED_EVENT);
      expect(summaries.length).toBeGreaterThanOrEqual(1);
      expect(summaries.length).toBeLessThanOrEqual(3);
      expect(summaries.reduce((n, s) => n + (s.details?.refused as number), 0)).toBe(refused.length);
      for (const s of summaries)
        expect(s).toMatchObject({
          principal: 'flooder',
          details: { tools: { test_echo: s.details?.refused }, limitPerSecond: RATE, burst: BURST },
        });
    },
  );

  it('never limits a client that calls one tool at a time: a batch back to back, then at an agent’s pace', async () => {
    const agent = await srv.connect('neighbour');
    await sleep((BURST / RATE) * 1000); // a full bucket, as after any pause
    const answers: CallToolResult[] = [];
    for (let i = 0; i < BURST; i++) answers.push((await agent.callTool(echo)) as CallToolResult);
    // One call, then a pause of 50 ms (a model thinks far longer): under RATE a second.
    for (let i = 0; i < 100; i++) {
      answers.push((await agent.callTool(echo)) as CallToolResult);
      await sleep(1000 / RATE);
    }
    expect(answers.filter((r) => r.isError).map(textOf)).toEqual([]);
  }, 60_000);
});

describe('400 slow calls at once', () => {
  let srv: TestServer;
  beforeAll(async () => {
    load.running = 0;
    load.most = 0;
    // The token's burst is raised here so that only the concurrency cap answers these calls.
    srv = await startTestServer({
      tools: [...testTools, testWait],
      tokens: [{ name: 'flooder', scope: 'read' }],
      settingsCfg: 'TOKEN_CALL_BURST="1000"\n',
    });
  });
  afterAll(() => srv?.close());

  it(
    `run at most ${CAP} at once, the rest are told the server is busy, and /healthz stays quick`,
    { timeout: 60_000 },
    async () => {
      // The flood comes from another process, as it would over the LAN: the /healthz times below are
      // then the sidecar's own delay, not the load generator's.
      await fetch(`${srv.origin}/healthz`); // the first fetch of a process sets up its client
      const flood = floodFromChild(srv, srv.secrets.flooder as string, 400, 3000);
      const health: Array<{ at: number; ms: number }> = [];
      let done = false;
      void flood.then(
        () => (done = true),
        () => (done = true),
      );
      while (!done) {
        const at = Date.now();
        const t0 = performance.now();
        const res = await fetch(`${srv.origin}/healthz`);
        expect(res.status).toBe(200);
        health.push({ at, ms: performance.now() - t0 });
        await sleep(20);
      }
      const results = await flood;

      const ok = results.filter((r) => !r.isError);
      const busy = results.filter((r) => r.isError);
      expect(load.most).toBe(CAP);
      expect(ok).toHaveLength(CAP);
      expect(busy).toHaveLength(400 - CAP);
      for (const r of busy) {
        expect(r.text).toBe(`The server is busy (${CAP} calls running); retry in a moment.`);
        expect(r.meta).toEqual({ retryAfterMs: 1000 });
      }
      // While the admitted calls run (after the last refusal was answered), /healthz answers within
      // 100 ms. Before that, the 400 requests arriving together are each parsed, authenticated and
      // answered over MCP, which no limit inside the call can make cheaper: that stretch is bounded
      // too, if more loosely.
      const audit = await readAudit(srv.env.auditDir);
      const busyOutcomes = audit.filter((r) => r.stage === 'outcome' && r.decision.rule === 'busy');
      const arrived = Math.max(...busyOutcomes.map((r) => Date.parse(r.time)));
      const running = health.filter((h) => h.at > arrived);
      expect(running.length).toBeGreaterThan(50); // sampled all through the 3 s the calls ran
      expect(Math.max(...running.map((h) => h.ms))).toBeLessThan(100);
      expect(Math.max(...health.map((h) => h.ms))).toBeLessThan(250);
      expect(await countedCalls(srv, srv.secrets.flooder as string, 'busy')).toBe(400 - CAP);

      // Audited like any refusal (the rate limit bounds how many one token can cause).
      expect(busyOutcomes).toHaveLength(400 - CAP);
      expect(busyOutcomes[0]?.result).toMatchObject({ status: 'error', code: 'busy' });

      // The slots are all given back.
      expect(load.running).toBe(0);
      const flooder = await srv.connect('flooder');
      expect((await flooder.callTool({ name: 'test_wait', arguments: { ms: 0 } })).isError).toBeFalsy();
    },
  );
});

/**
 * A separate Node process that opens one MCP session with the SDK client and sends `count` test_wait
 * calls at once; resolves with each answer's error flag, text and _meta.
 */
function floodFromChild(
  srv: TestServer,
  secret: string,
  count: number,
  ms: number,
): Promise<Array<{ isError: boolean; text: string; meta: unknown }>> {
  const script = `
    import { Client } from '@modelcontextprotocol/sdk/client/index.js';
    import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
    const [url, secret, count, ms] = process.argv.slice(1);
    const client = new Client({ name: 'flood', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: 'Bearer ' + secret } },
    }));
    const answers = await Promise.all(Array.from({ length: Number(count) }, () =>
      client.callTool({ name: 'test_wait', arguments: { ms: Number(ms) } }, undefined, { timeout: 30000 })));
    process.stdout.write(JSON.stringify(answers.map((a) =>
      ({ isError: a.isError === true, text: a.content[0].text, meta: a._meta ?? null }))));
    await client.close();
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, srv.url, secret, String(count), String(ms)],
      { cwd: REPO, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`flood process failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Array<{ isError: boolean; text: string; meta: unknown }>);
      },
    );
  });
}
