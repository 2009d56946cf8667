import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { safetyTools } from '../../helpers/test-tools.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';

/**
 * Filters and protection over real HTTP with the SDK client, against real containers: rules apply to
 * the resolved name whether the call names the container, gives its full ID or an ID prefix.
 */
const td = testDocker();
let srv: TestServer;
const ids: Record<string, string> = {};
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

beforeAll(async () => {
  for (const name of ['fp-web', 'fp-secret-vault', 'fp-db']) ids[name] = await td.createContainer(name);
  ids['fp-labelled'] = await td.createContainer('fp-labelled', { 'unraid-mcp.protected': 'true' });
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
    policy: {
      filters: { containers: { allow: [], deny: ['fp-secret*'] } },
      protected: { containers: ['fp-db'] },
      confirmModes: { test_stop: 'none' },
    },
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

describe('name filters on the resolved name', () => {
  it.each([
    ['name', () => 'fp-secret-vault'],
    ['full ID', () => ids['fp-secret-vault'] as string],
    ['ID prefix', () => (ids['fp-secret-vault'] as string).slice(0, 12)],
  ])('denies a denied container given by %s', async (_how, ref) => {
    const client = await srv.connect();
    const res = (await client.callTool({ name: 'test_start', arguments: { id: ref() } })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(text(res)).toBe(
      'container "fp-secret-vault" is denied by the Docker filter "fp-secret*" — ask the owner to change the filters in Settings → unraid-mcp.',
    );
  });

  it('allows an allowed container by ID prefix and acts on the resolved one', async () => {
    const client = await srv.connect();
    const res = (await client.callTool({
      name: 'test_start',
      arguments: { id: (ids['fp-web'] as string).slice(0, 12) },
    })) as CallToolResult;
    expect(res.structuredContent).toEqual({ acted: 'started fp-web', id: ids['fp-web'] });
  });

  it('list tools hide denied containers', async () => {
    const client = await srv.connect();
    const res = (await client.callTool({
      name: 'test_list_containers',
      arguments: { prefix: 'fp-' },
    })) as CallToolResult;
    expect(res.structuredContent).toEqual({ names: ['fp-db', 'fp-labelled', 'fp-web'] });
  });

  it('an unknown container is a clear not-found error', async () => {
    const client = await srv.connect();
    const res = (await client.callTool({
      name: 'test_start',
      arguments: { id: 'fp-nope' },
    })) as CallToolResult;
    expect(text(res)).toBe('No container named or with ID "fp-nope". Use docker_list to see the containers.');
  });
});

describe('protected containers', () => {
  it('refuses to stop a container on the protected list, whatever the token', async () => {
    const client = await srv.connect();
    const res = (await client.callTool({
      name: 'test_stop',
      arguments: { id: ids['fp-db'] as string },
    })) as CallToolResult;
    expect(text(res)).toMatch(
      /^container "fp-db" is protected \(protected list entry "fp-db"\): unraid-mcp will not stop, restart, pause, update or remove it/,
    );
  });

  it('refuses to stop a container labelled unraid-mcp.protected=true, but may start it', async () => {
    const client = await srv.connect();
    const stop = (await client.callTool({
      name: 'test_stop',
      arguments: { id: 'fp-labelled' },
    })) as CallToolResult;
    expect(text(stop)).toBe(
      'container "fp-labelled" is protected (label unraid-mcp.protected=true): unraid-mcp will not stop, restart, pause, update or remove it.',
    );
    const start = (await client.callTool({
      name: 'test_start',
      arguments: { id: 'fp-labelled' },
    })) as CallToolResult;
    expect(start.structuredContent).toMatchObject({ acted: 'started fp-labelled' });
  });

  it('audits every refusal with an intent and an outcome naming the rule and the resolved target', async () => {
    const records = (await readAudit(srv.env.auditDir)).filter(
      (r) => r.tool === 'test_stop' && r.stage !== 'event',
    );
    const labelled = records.filter((r) => (r.target as { name?: string } | null)?.name === 'fp-labelled');
    expect(labelled.map((r) => [r.stage, r.decision.allowed, r.decision.rule])).toEqual([
      ['intent', false, 'protected:label'],
      ['outcome', false, 'protected:label'],
    ]);
    expect(labelled[0]?.target).toMatchObject({
      kind: 'container',
      ref: 'fp-labelled',
      id: ids['fp-labelled'],
    });
  });
});
