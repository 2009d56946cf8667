import { beforeAll, describe, expect, inject, it } from 'vitest';
import { stat } from 'node:fs/promises';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { assertBuilt, runCli, serve, tempEnv } from '../helpers/cli.js';
import { startTestServer } from '../helpers/start-server.js';
import { safetyTools } from '../helpers/test-tools.js';
import { testDocker } from '../helpers/docker.js';
import { readAudit } from '../helpers/audit-file.js';

beforeAll(assertBuilt);

/** The headless path: `unraid-mcp confirm` talks to the running service over its admin socket. */
describe('unraid-mcp confirm', () => {
  it('lists a pending approval and approves or denies it as the WebGUI would, audited as "cli"', async () => {
    const td = testDocker();
    await td.createContainer('cli-web');
    const srv = await startTestServer({
      env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
      tools: safetyTools,
    });
    const env = await tempEnv({ UNRAID_MCP_ADMIN_SOCKET: srv.env.adminSocket });
    try {
      const client = await srv.connect();
      for (const decision of ['approve', 'deny'] as const) {
        const call = client.callTool({ name: 'test_remove', arguments: { id: 'cli-web' } });
        let listed = '';
        for (let i = 0; i < 50 && !listed.includes('pc_'); i++)
          listed = (await runCli(['confirm', 'list'], env)).stdout;
        const id = /^(pc_\S+)\s+pending\s+test_remove\s+container "cli-web"\s+by test/m.exec(listed)?.[1];
        expect(id, listed).toBeDefined();
        const decided = await runCli(['confirm', decision, id as string, '--reason', 'from the shell'], env);
        expect(decided.code).toBe(0);
        expect(decided.stdout).toMatch(
          new RegExp(`^${id} ${decision === 'approve' ? 'approved' : 'denied'}: `),
        );
        const res = (await call) as CallToolResult;
        if (decision === 'approve') expect(res.structuredContent).toMatchObject({ acted: 'removed cli-web' });
        else
          expect((res.content[0] as { text: string }).text).toBe(
            'The owner denied this action (from the shell). Nothing was done.',
          );
      }
      const events = (await readAudit(srv.env.auditDir)).filter(
        (r) => r.event === 'confirmation.approved' || r.event === 'confirmation.denied',
      );
      expect(events.map((e) => [e.event, e.principal])).toEqual([
        ['confirmation.approved', 'cli'],
        ['confirmation.denied', 'cli'],
      ]);
    } finally {
      await srv.close();
      await td.cleanup();
    }
  });

  it('lists through the admin socket (0600), and refuses to decide an unknown id', async () => {
    const env = await tempEnv({ DOCKER_HOST: `unix://${inject('dockerSocket')}` });
    const s = await serve(env);
    try {
      expect((await stat(env.UNRAID_MCP_ADMIN_SOCKET as string)).mode & 0o777).toBe(0o600);
      const list = await runCli(['confirm', 'list'], env);
      expect([list.code, list.stdout.trim()]).toEqual([0, 'No pending confirmations.']);
      const bad = await runCli(['confirm', 'approve', 'pc_nope'], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('no pending confirmation "pc_nope"');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('serves the admin API on loopback too when UNRAID_MCP_ADMIN_PORT is set (demo only), never on the LAN listener', async () => {
    const adminPort = 20000 + Math.floor(Math.random() * 20000);
    const env = await tempEnv({ UNRAID_MCP_ADMIN_PORT: String(adminPort) });
    const s = await serve(env);
    try {
      const status = await fetch(`http://127.0.0.1:${adminPort}/api/status`);
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ version: '0.1.0', sessions: { active: 0 } });
      expect((await fetch(`${s.origin}/api/status`)).status).toBe(404);
      const list = await runCli(['confirm', 'list'], {
        ...env,
        UNRAID_MCP_ADMIN_SOCKET: '/nonexistent/admin.sock',
      });
      expect(list.stdout.trim()).toBe('No pending confirmations.');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('says clearly when the service is not running', async () => {
    const r = await runCli(['confirm', 'list'], await tempEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the unraid-mcp service is not running \(no admin API at .*admin\.sock\)/);
  });

  it('refuses to start a second instance on a live admin socket', async () => {
    const env = await tempEnv();
    const s = await serve(env);
    try {
      const second = await serve({ ...env }).then(
        () => 'started',
        (err: Error) => err.message,
      );
      expect(second).toMatch(/another unraid-mcp is already running/);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
