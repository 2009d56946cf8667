import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, mcpHeaders, INIT_BODY, type TestServer } from '../helpers/start-server.js';
import { rawRequest } from '../helpers/raw-request.js';
import { toolsOf } from '../helpers/test-tools.js';
import { testDocker } from '../helpers/docker.js';
import { readAudit } from '../helpers/audit-file.js';
import { createLogger } from '../../server/log.js';

/**
 * Edges of the HTTP surface an attacker (or a careless client) probes:
 * - a token in the URL, under any parameter name or none, or encoded: URLs land in proxy logs and
 *   browser history, so the request is refused with 400 whatever else it carries, and the answer
 *   and the log never repeat the token;
 * - a Host in brackets that is not an IPv6 literal (`[127.0.0.1]`, `[localhost]`, `[::1` unclosed):
 *   it used to be trimmed into an allowed name, which a DNS-rebinding page could use;
 * - an image reference Docker would misread (`Library/nginx`: an upper-case first component is taken
 *   for a registry host, not the Docker Hub namespace): refused as invalid input, before anyone is
 *   asked to approve, by docker_pull and docker_create (Docker refuses it too, but only once the
 *   owner has approved); docker_update refuses an image it cannot pull before the owner is asked.
 */
const td = testDocker();
const docker = td.docker;
let srv: TestServer;
let client: Client;
const logLines: string[] = [];
const ID_CONTAINER = 'umcp-adv-from-image-id';
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const errorOf = (body: string) => (JSON.parse(body) as { error: { message: string } }).error.message;

beforeAll(async () => {
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: toolsOf('docker'),
    tokens: [{ name: 'agent', scope: 'admin' }],
    // Every call here would wait for the owner if it got that far.
    policy: { confirmModes: { docker_pull: 'approve', docker_create: 'approve', docker_update: 'approve' } },
    log: createLogger('debug', (line) => logLines.push(line)),
  });
  client = await srv.connect('agent');
});
afterAll(async () => {
  await srv?.close();
  await docker
    .getContainer(ID_CONTAINER)
    .remove({ force: true })
    .catch(() => {});
});

describe('a token in the URL', () => {
  const token = () => srv.secrets.agent as string;
  const initWith = (path: string) =>
    rawRequest(srv.port, {
      method: 'POST',
      path,
      headers: { ...mcpHeaders(token()), Host: `127.0.0.1:${srv.port}` },
      body: JSON.stringify(INIT_BODY),
    });

  it.each([
    ['an unusual parameter name', () => `/mcp?session=${token()}`],
    ['a parameter named like a header', () => `/mcp?Authorization=Bearer%20${token()}`],
    ['the token as the parameter name', () => `/mcp?${token()}`],
    ['a percent-encoded token', () => `/mcp?x=${encodeURIComponent(token()).replace('u', '%75')}`],
    ['a shortened token', () => `/mcp?q=${token().slice(0, 30)}`],
    ['a token in the path', () => `/mcp/${token()}`],
  ])('refuses %s with 400, even with a valid Authorization header, without repeating it', async (_, path) => {
    const before = (await srv.admin('GET', '/api/status')).json.sessions.active as number;
    const res = await initWith(path());
    expect(res.status).toBe(400);
    const message = errorOf(res.body);
    expect(message).toMatch(/^A token was found in the URL/);
    expect(message).toContain(
      'Tokens belong in the header "Authorization: Bearer <token>", never in the URL: URLs are kept in logs and browser history.',
    );
    expect(message).toContain('ask the owner to revoke the token');
    expect(res.body).not.toContain(token().slice(5, 25));
    // Nothing was opened.
    expect((await srv.admin('GET', '/api/status')).json.sessions.active).toBe(before);
  });

  it('names the parameter (not its value) when the name is not the token itself', async () => {
    const res = await initWith(`/mcp?session=${token()}`);
    expect(errorOf(res.body)).toMatch(/^A token was found in the URL \(the "session" parameter\)\./);
  });

  it('refuses it on every path, not only /mcp and /metrics', async () => {
    const res = await rawRequest(srv.port, {
      path: `/healthz?probe=${token()}`,
      headers: { Host: `127.0.0.1:${srv.port}` },
    });
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toMatch(/^A token was found in the URL/);
  });

  it('still refuses the usual token parameter names whatever their value, with 400', async () => {
    const res = await initWith('/mcp?access_token=whatever');
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toBe(
      'Tokens are not accepted in the URL (the "access_token" parameter). Tokens belong in the header "Authorization: Bearer <token>", never in the URL: URLs are kept in logs and browser history.',
    );
  });

  it('lets an ordinary query through', async () => {
    expect((await initWith('/mcp?client=umcp_short')).status).toBe(200);
  });

  it('never writes the token to the log, and counts the refusals', async () => {
    const metrics = await fetch(`${srv.origin}/metrics`, { headers: { Authorization: `Bearer ${token()}` } });
    expect(await metrics.text()).toMatch(/reason="token_in_query"} \d+/);
    expect(logLines.join('\n')).not.toContain(token().slice(5, 25));
  });
});

describe('a Host header in brackets', () => {
  const healthz = (host: string) => rawRequest(srv.port, { path: '/healthz', headers: { Host: host } });

  it('accepts a real IPv6 literal, with or without a port, however it is written', async () => {
    expect((await healthz(`[::1]:${srv.port}`)).status).toBe(200);
    expect((await healthz('[::1]')).status).toBe(200);
    expect((await healthz('[0:0:0:0:0:0:0:1]:8765')).status).toBe(200);
  });

  it.each([
    '[127.0.0.1]',
    `[127.0.0.1]:8765`,
    '[localhost]',
    '[evil.com]',
    '[1.2.3.4]',
    '[::1',
    '[::1]x',
    '[::1]:80:80',
  ])('refuses %s with 403 as malformed', async (host) => {
    const res = await healthz(host);
    expect(res.status).toBe(403);
    expect(errorOf(res.body)).toBe(
      `Host ${JSON.stringify(host)} is malformed: expected a host name or address with an optional port (digits only), and brackets only around an IPv6 address (such as [::1]:8765).`,
    );
  });

  it('refuses it on /mcp before the token is even looked at: no session is opened', async () => {
    const before = (await srv.admin('GET', '/api/status')).json.sessions.active as number;
    const res = await rawRequest(srv.port, {
      method: 'POST',
      path: '/mcp',
      headers: { ...mcpHeaders(srv.secrets.agent as string), Host: '[localhost]:8765' },
      body: JSON.stringify(INIT_BODY),
    });
    expect(res.status).toBe(403);
    expect((await srv.admin('GET', '/api/status')).json.sessions.active).toBe(before);
  });
});

describe('an image reference with an upper-case repository', () => {
  const pendingCount = async () =>
    ((await srv.admin('GET', '/api/confirmations')).json.confirmations as unknown[]).length;

  it.each([
    ['docker_pull', { image: 'Library/nginx' }],
    ['docker_pull', { image: 'Library/Nginx:1.27' }],
    ['docker_create', { image: 'Library/nginx', name: 'umcp-adv-upper' }],
    ['docker_create', { image: 'library/Nginx', name: 'umcp-adv-upper' }],
  ])(
    '%s %j is refused as invalid input: no approval is asked, nothing reaches Docker',
    async (tool, args) => {
      const before = await pendingCount();
      const res = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(
        new RegExp(
          `^Invalid arguments for ${tool}: "image": ".+" is not a valid image reference: repository names must be lowercase`,
        ),
      );
      expect(await pendingCount()).toBe(before);
      const outcome = (await readAudit(srv.env.auditDir))
        .filter((r) => r.tool === tool && r.stage === 'outcome')
        .pop();
      expect(outcome?.decision).toEqual({ allowed: false, rule: 'invalid_arguments' });
      expect(outcome?.confirmation).toBeUndefined();
      await expect(docker.getContainer('umcp-adv-upper').inspect()).rejects.toMatchObject({
        statusCode: 404,
      });
    },
  );

  it('says what Docker would do with the upper-case first component, and what to write instead', async () => {
    const res = (await client.callTool({
      name: 'docker_pull',
      arguments: { image: 'Library/nginx' },
    })) as CallToolResult;
    expect(textOf(res)).toContain(
      '"Library/nginx" is not a valid image reference: repository names must be lowercase ("Library"); Docker would take "Library" for a registry host, not a Docker Hub namespace. Write "library/nginx", or name the registry with a "." or a port (registry.lan:5000/app)',
    );
  });

  it('Docker itself refuses such a reference (so no container can carry one)', async () => {
    await expect(
      docker.getImage(inject('testImage')).tag({ repo: 'Library/umcp-adv-upper', tag: 'v1' }),
    ).rejects.toMatchObject({ statusCode: 500, message: expect.stringContaining('must be lowercase') });
  });

  it('docker_update of a container whose image cannot be pulled (created from an image ID) is refused before the owner is asked', async () => {
    const image = await docker.getImage(inject('testImage')).inspect();
    await docker.createContainer({
      name: ID_CONTAINER,
      Image: image.Id,
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: 'none' },
    });
    const before = await pendingCount();
    const res = (await client.callTool({
      name: 'docker_update',
      arguments: { id: ID_CONTAINER },
    })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toBe(
      `Container "${ID_CONTAINER}" was created from an image ID (${image.Id.slice(0, 19)}), not a name and tag, so there is nothing to pull. Re-create it from a named image instead.`,
    );
    expect(await pendingCount()).toBe(before);
    const outcome = (await readAudit(srv.env.auditDir))
      .filter((r) => r.tool === 'docker_update' && r.stage === 'outcome')
      .pop();
    expect(outcome?.decision).toEqual({ allowed: false, rule: 'preflight' });
    // The container is untouched.
    const info = await docker.getContainer(ID_CONTAINER).inspect();
    expect(info.Config.Image).toBe(image.Id);
    expect(info.State.Status).toBe('created');
  });
});
