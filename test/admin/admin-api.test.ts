import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { request } from 'node:http';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { safetyTools } from '../helpers/test-tools.js';
import { testDocker } from '../helpers/docker.js';
import { readAudit } from '../helpers/audit-file.js';

const td = testDocker();
let srv: TestServer;
beforeAll(async () => {
  await td.createContainer('ad-plex');
  await td.createContainer('ad-nextcloud', { 'unraid-mcp.protected': 'true' });
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

describe('status', () => {
  it('reports version, backends, sessions and the audit location', async () => {
    const { status, json } = await srv.admin('GET', '/api/status');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      version: '0.1.0',
      backends: { docker: { up: true }, libvirt: { up: true }, config: { up: true } },
      sessions: { active: 0 },
      audit: { dir: srv.env.auditDir, persistent: true },
    });
  });
});

describe('settings', () => {
  it('get returns the settings and a revision; put changes them, writes only policy.json for a filter change, and audits it', async () => {
    const got = await srv.admin('GET', '/api/settings');
    expect(got.json.settings).toMatchObject({
      readOnly: false,
      filters: { containers: { allow: [], deny: [] } },
    });
    const put = await srv.admin(
      'PUT',
      '/api/settings',
      { filters: { containers: { deny: ['ad-secret*'] } } },
      { 'If-Match': `"${got.json.revision}"` },
    );
    expect(put.status).toBe(200);
    expect(put.json.changed).toEqual(['filters.containers.deny']);
    expect(put.json.revision).not.toBe(got.json.revision);
    const event = (await readAudit(srv.env.auditDir)).filter((r) => r.event === 'settings.changed').pop();
    expect(event).toMatchObject({
      principal: 'webgui',
      details: { changed: ['filters.containers.deny'], written: ['policy.json'] },
    });
  });

  it('refuses a stale revision with 409', async () => {
    const res = await srv.admin('PUT', '/api/settings', { readOnly: true }, { 'If-Match': '"stale"' });
    expect(res.status).toBe(409);
    expect(res.json.error).toMatch(/the settings changed since revision stale was read/);
  });

  it('names each invalid field', async () => {
    const res = await srv.admin('PUT', '/api/settings', {
      filters: { containers: { deny: ['ok', 'plex[12'] } },
      confirmModes: { docker_nuke: 'none' },
    });
    expect(res.status).toBe(400);
    const fields = (res.json.problems as Array<{ field: string }>).map((p) => p.field);
    expect(fields.sort()).toEqual(['confirmModes.docker_nuke', 'filters.containers.deny[1]']);
    const typed = await srv.admin('PUT', '/api/settings', { responseCapBytes: 'big', colour: 'red' });
    expect((typed.json.problems as Array<{ field: string }>).map((p) => p.field).sort()).toEqual([
      'colour',
      'responseCapBytes',
    ]);
  });

  it('a setting change applies to the next tool call without a restart', async () => {
    await srv.admin('PUT', '/api/settings', { readOnly: true });
    const client = await srv.connect();
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('test_stop');
    await srv.admin('PUT', '/api/settings', { readOnly: false });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('test_stop');
  });
});

describe('filter preview', () => {
  it('shows which current containers a draft rule allows, denies or protects', async () => {
    const res = await srv.admin('POST', '/api/filters/preview', {
      filters: { containers: { deny: ['ad-pl*'] } },
    });
    expect(res.status).toBe(200);
    const rows = res.json.containers as Array<{
      name: string;
      allowed: boolean;
      rule: string | null;
      protected: boolean;
    }>;
    expect(rows.find((r) => r.name === 'ad-plex')).toMatchObject({ allowed: false, rule: 'deny:ad-pl*' });
    expect(rows.find((r) => r.name === 'ad-nextcloud')).toMatchObject({ allowed: true, protected: true });
    expect(res.json.rules).toContainEqual(
      expect.objectContaining({
        field: 'filters.containers.deny[0]',
        pattern: 'ad-pl*',
        matches: ['ad-plex'],
      }),
    );
  });

  it('rejects an invalid draft glob naming it', async () => {
    const res = await srv.admin('POST', '/api/filters/preview', {
      filters: { containers: { deny: ['[oops'] } },
    });
    expect(res.status).toBe(400);
    expect(res.json.problems[0].field).toBe('filters.containers.deny[0]');
  });

  it('names a nested unknown field by its full path', async () => {
    const res = await srv.admin('POST', '/api/filters/preview', {
      filters: { containers: { deny: [], colour: 'red' } },
    });
    expect(res.status).toBe(400);
    expect(res.json.problems).toEqual([{ field: 'filters.containers.colour', message: 'unknown field' }]);
  });
});

describe('tokens', () => {
  it('creates (secret once), lists without secrets, changes expiry and revokes — each audited', async () => {
    const created = await srv.admin('POST', '/api/tokens', {
      name: 'webgui-made',
      scope: 'read',
      expires: '30d',
    });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^umcp_/);
    const listed = await srv.admin('GET', '/api/tokens');
    expect(JSON.stringify(listed.json)).not.toContain(created.json.secret);
    expect(listed.json.tokens.map((t: { name: string }) => t.name)).toContain('webgui-made');
    expect(
      (await srv.admin('PATCH', '/api/tokens/webgui-made', { expires: 'never' })).json.token.expires,
    ).toBeNull();
    expect((await srv.admin('DELETE', '/api/tokens/webgui-made')).status).toBe(204);
    expect((await srv.admin('DELETE', '/api/tokens/webgui-made')).status).toBe(404);
    const events = (await readAudit(srv.env.auditDir))
      .filter((r) => r.event?.startsWith('admin.token_') && r.details?.name === 'webgui-made')
      .map((r) => r.event);
    expect(events).toEqual(['admin.token_created', 'admin.token_expiry_changed', 'admin.token_revoked']);
    expect(JSON.stringify(await readAudit(srv.env.auditDir))).not.toContain(created.json.secret);
  });

  it('names the bad field', async () => {
    const res = await srv.admin('POST', '/api/tokens', { name: 'x', scope: 'root', colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.json.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'scope' }),
        { field: 'colour', message: 'unknown field' },
      ]),
    );
    const exp = await srv.admin('POST', '/api/tokens', { name: 'y', scope: 'read', expires: 'tomorrow' });
    expect(exp.json.problems[0].field).toBe('expires');
    const past = await srv.admin('POST', '/api/tokens', { name: 'y', scope: 'read', expires: '2001-01-01' });
    expect(past.status).toBe(400);
    expect(past.json.error).toBe('expires 2001-01-01: that time is already past');
    expect(past.json.problems).toEqual([{ field: 'expires', message: 'that time is already past' }]);
    expect((await srv.admin('POST', '/api/tokens', '{"name": ')).status).toBe(400);
  });
});

describe('audit', () => {
  it('queries newest first with filters and cursor pages, verifies, and exports JSON Lines', async () => {
    const client = await srv.connect();
    for (let i = 0; i < 5; i++) await client.callTool({ name: 'test_echo', arguments: { message: `m${i}` } });
    const page1 = await srv.admin('GET', '/api/audit?tool=test_echo&stage=outcome&limit=3');
    expect(page1.json.records).toHaveLength(3);
    expect(page1.json.records[0].args).toEqual({ message: 'm4' });
    const page2 = await srv.admin(
      'GET',
      `/api/audit?tool=test_echo&stage=outcome&limit=3&cursor=${encodeURIComponent(page1.json.nextCursor)}`,
    );
    expect(page2.json.records.map((r: { args: { message: string } }) => r.args.message)).toEqual([
      'm1',
      'm0',
    ]);
    expect(page2.json.nextCursor).toBeNull();
    const verify = await srv.admin('GET', '/api/audit/verify');
    expect(verify.json).toMatchObject({ ok: true });
    const res = await fetch(`${await adminOrigin()}/api/audit/export?tool=test_echo&stage=intent`);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: { message: string } });
    expect(lines.map((l) => l.args.message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('names a bad query parameter', async () => {
    const res = await srv.admin('GET', '/api/audit?limit=9999&from=yesterday');
    expect(res.status).toBe(400);
    expect(res.json.problems.map((p: { field: string }) => p.field).sort()).toEqual(['from', 'limit']);
  });
});

describe('audit relocation (array stopping / started)', () => {
  it('moves the log to RAM and back without losing or duplicating records', async () => {
    const client = await srv.connect();
    await client.callTool({ name: 'test_echo', arguments: { message: 'before' } });
    const toRam = await srv.admin('POST', '/api/audit/relocate', { to: 'ram' });
    expect(toRam.status).toBe(200);
    expect((await srv.admin('GET', '/api/status')).json.audit).toMatchObject({
      dir: srv.env.auditRamDir,
      persistent: false,
    });
    await client.callTool({ name: 'test_echo', arguments: { message: 'while stopped' } });
    expect((await srv.admin('POST', '/api/audit/relocate', { to: 'persistent' })).status).toBe(200);
    expect((await srv.admin('GET', '/api/status')).json.audit).toMatchObject({
      dir: srv.env.auditDir,
      persistent: true,
    });
    await client.callTool({ name: 'test_echo', arguments: { message: 'after' } });
    const verify = (await srv.admin('GET', '/api/audit/verify')).json;
    expect(verify.ok).toBe(true);
    const page = await srv.admin('GET', '/api/audit?tool=test_echo&stage=outcome&limit=500');
    const messages = (page.json.records as Array<{ args: { message: string } }>).map((r) => r.args.message);
    for (const m of ['before', 'while stopped', 'after'])
      expect(messages.filter((x) => x === m)).toHaveLength(1);
    expect((await srv.admin('POST', '/api/audit/relocate', { to: 'mars' })).json.problems[0].field).toBe(
      'to',
    );
  });
});

describe('confirmation stream', () => {
  it('pushes a snapshot, then each change as it happens', async () => {
    const events: string[] = [];
    const origin = await adminOrigin();
    const done = new Promise<void>((resolve) => {
      const req = request(`${origin}/api/confirmations/events`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          for (const m of chunk.matchAll(/^event: (\w+)$/gm)) events.push(m[1] as string);
          if (events.includes('confirmation')) {
            req.destroy();
            resolve();
          }
        });
      });
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const client = await srv.connect();
    const call = client.callTool({ name: 'test_remove', arguments: { id: 'ad-plex' } });
    await done;
    expect(events.slice(0, 2)).toEqual(['snapshot', 'confirmation']);
    const pending = (await srv.admin('GET', '/api/confirmations')).json.confirmations.find(
      (c: { status: string }) => c.status === 'pending',
    );
    await srv.admin('POST', `/api/confirmations/${pending.id}/deny`, {});
    expect(((await call) as CallToolResult).isError).toBe(true);
  });
});

/** The loopback origin of the test's admin listener (the same one srv.admin uses). */
async function adminOrigin(): Promise<string> {
  return srv.adminOrigin;
}
