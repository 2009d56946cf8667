import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { safetyTools } from '../helpers/test-tools.js';
import { testDocker } from '../helpers/docker.js';
import { runCli } from '../../server/cli.js';
import type { ServiceEnv } from '../../server/config/env.js';

/**
 * The attack: the owner hides everything called `plex*` (policy.json) and runs the service
 * read-only (unraid-mcp.cfg). Someone who can delete a file on the flash share — but not write a
 * policy the owner would notice — deletes policy.json, or unraid-mcp.cfg. A missing file used to mean
 * "defaults": no filters, no protection, read-only off, with /readyz still 200. Now a settings file
 * that existed and disappears locks MCP down with the reason (like an invalid file), during the run
 * and after a restart, until the file is restored or the owner recreates it with
 * "unraid-mcp config reset FILE". A fresh install without the files still works.
 */
const td = testDocker();
const HIDDEN = 'plex-adv-deleted';
const SHOWN = 'web-adv-deleted';
const POLICY = { filters: { containers: { deny: ['plex*'] } } };
const docker = () => ({ DOCKER_HOST: `unix://${inject('dockerSocket')}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await td.createContainer(HIDDEN);
  await td.createContainer(SHOWN);
});
afterAll(() => td.cleanup());

/** Lists the test containers over MCP with a fresh session. */
async function listed(srv: TestServer): Promise<string[]> {
  const client = await srv.connect();
  const res = (await client.callTool({
    name: 'test_list_containers',
    arguments: { prefix: '' },
  })) as CallToolResult;
  const names = (res.structuredContent as { names: string[] }).names;
  return names.filter((n) => n === HIDDEN || n === SHOWN);
}

/** A raw MCP initialize, as any client's first request: status and the error message if refused. */
async function initialize(srv: TestServer): Promise<{ status: number; message: string | null }> {
  const res = await fetch(srv.url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${srv.secrets.test ?? ''}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  const body = res.status === 200 ? null : ((await res.json()) as { error: { message: string } });
  return { status: res.status, message: body?.error.message ?? null };
}

async function readyz(srv: TestServer): Promise<{ status: number; unavailable: string[]; reason: string }> {
  const res = await fetch(`${srv.origin}/readyz`);
  const body = (await res.json()) as {
    unavailable: string[];
    backends: { config: { reason?: string } };
  };
  return { status: res.status, unavailable: body.unavailable, reason: body.backends.config.reason ?? '' };
}

/** The real CLI command, in process, against the server's directories. */
async function cli(env: ServiceEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, env, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => new Date(),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Polls until the store has noticed the change on disk (it re-stats at most every 250 ms). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error('the server did not notice the change');
}

// The suite's dockerd and libvirt may come and go: only the config part of /readyz is ours.
const configDown = (srv: TestServer) => async () => (await readyz(srv)).unavailable.includes('config');
const configUp = (srv: TestServer) => async () => !(await configDown(srv)());

const DELETED = /^MCP is disabled until policy\.json is fixed: policy\.json: \(file\): was deleted: /;

describe('policy.json deleted while the server runs', () => {
  it('refuses the next MCP call with the reason, fails /readyz and config check, and recovers when restored', async () => {
    const root = await mkdtemp(join(tmpdir(), 'umcp-adv-policy-'));
    const srv = await startTestServer({ root, env: docker(), tools: safetyTools, policy: POLICY });
    try {
      expect(await listed(srv)).toEqual([SHOWN]);
      const client = await srv.connect(); // a session opened while the rules were in force
      const policyPath = join(srv.env.configDir, 'policy.json');
      const saved = await readFile(policyPath, 'utf8');

      await rm(policyPath);
      await until(configDown(srv));

      // The open session's next call is refused over HTTP, with the reason; nothing is listed.
      const call = client.callTool({ name: 'test_list_containers', arguments: { prefix: '' } });
      await expect(call).rejects.toThrow(
        /MCP is disabled until policy\.json is fixed: policy\.json: \(file\): was deleted/,
      );
      const init = await initialize(srv);
      expect(init.status).toBe(503);
      expect(init.message).toMatch(DELETED);
      expect(init.message).toContain(
        'without it every filter, protection and confirmation override would be gone. Restore it from a backup (the flash backup has it), or run "unraid-mcp config reset policy.json" to start again with the defaults',
      );
      const ready = await readyz(srv);
      expect(ready.status).toBe(503);
      expect(ready.unavailable).toContain('config');
      expect(ready.reason).toMatch(/^policy\.json: \(file\): was deleted/);
      const check = await cli(srv.env, 'config', 'check');
      expect(check.code).toBe(1);
      expect(check.err).toMatch(/^policy\.json: \(file\): was deleted: /);

      await writeFile(policyPath, saved);
      await until(configUp(srv));
      expect(await listed(srv)).toEqual([SHOWN]);
      expect((await cli(srv.env, 'config', 'check')).code).toBe(0);
    } finally {
      await srv.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('policy.json deleted while the server is stopped', () => {
  it('a restart on the same config stays locked down until the owner resets the file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'umcp-adv-policy-'));
    const one = await startTestServer({ root, env: docker(), tools: safetyTools, policy: POLICY });
    const secret = one.secrets.test as string;
    expect(await listed(one)).toEqual([SHOWN]);
    await one.close();
    await rm(join(root, 'config', 'policy.json'));

    const two = await startTestServer({ root, env: docker(), tools: safetyTools });
    two.secrets.test = secret;
    try {
      const init = await initialize(two);
      expect(init.status).toBe(503);
      expect(init.message).toMatch(DELETED);
      expect(await readyz(two)).toMatchObject({
        status: 503,
        unavailable: expect.arrayContaining(['config']),
      });
      // The admin API cannot save over the lockdown either (it would save on top of "no rules").
      const put = await two.admin('PUT', '/api/settings', { readOnly: true });
      expect(put.status).toBe(400);
      expect(put.json.error).toMatch(/policy\.json: \(file\): was deleted/);

      // The owner's explicit way out: recreate the file with the defaults (no rules, visibly).
      const reset = await cli(two.env, 'config', 'reset', 'policy.json');
      expect(reset).toMatchObject({ code: 0, err: '' });
      expect(reset.out).toContain('Recreated');
      expect(JSON.parse(await readFile(join(root, 'config', 'policy.json'), 'utf8'))).toMatchObject({
        version: 1,
        filters: { containers: { allow: [], deny: [] } },
      });
      await until(configUp(two));
      expect(await listed(two)).toEqual([SHOWN, HIDDEN].sort());
      // A second reset refuses: it never overwrites a file that is there.
      const again = await cli(two.env, 'config', 'reset', 'policy.json');
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/policy\.json exists, so it was not reset/);
    } finally {
      await two.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('unraid-mcp.cfg deleted (READ_ONLY="yes" would silently turn into read-write)', () => {
  it('locks down the same way, and restoring the file brings read-only back', async () => {
    const root = await mkdtemp(join(tmpdir(), 'umcp-adv-cfg-'));
    const srv = await startTestServer({
      root,
      env: docker(),
      tools: safetyTools,
      settingsCfg: 'READ_ONLY="yes"\n',
    });
    try {
      const cfgPath = join(srv.env.configDir, 'unraid-mcp.cfg');
      await rm(cfgPath);
      await until(configDown(srv));
      const init = await initialize(srv);
      expect(init.status).toBe(503);
      expect(init.message).toMatch(
        /^MCP is disabled until unraid-mcp\.cfg is fixed: unraid-mcp\.cfg: \(file\): was deleted: .*read-only mode, the toolset choice and the limits would fall back to their defaults/,
      );
      expect((await cli(srv.env, 'config', 'check')).err).toMatch(/^unraid-mcp\.cfg: \(file\): was deleted/);

      await writeFile(cfgPath, 'READ_ONLY="yes"\n');
      await until(configUp(srv));
      expect(srv.service.settingsStore.current().settings.readOnly).toBe(true);
    } finally {
      await srv.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('a fresh install without settings files', () => {
  it('still starts with the defaults and stays ready', async () => {
    const srv = await startTestServer({ env: docker(), tools: safetyTools });
    try {
      expect((await readyz(srv)).unavailable).not.toContain('config');
      expect(await listed(srv)).toEqual([SHOWN, HIDDEN].sort());
      expect((await cli(srv.env, 'config', 'check')).code).toBe(0);
    } finally {
      await srv.close();
    }
  });
});
