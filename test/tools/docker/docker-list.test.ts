import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { toolsOf } from '../../helpers/test-tools.js';

/** docker_list over real HTTP against the suite's dockerd, with a Docker filter hiding one container. */
const P = `dtl-${randomBytes(3).toString('hex')}-`;
const td = testDocker();
let srv: TestServer;
let client: Client;
const ids: Record<string, string> = {};

interface Listed {
  name: string;
  id: string;
  image: string;
  state: string;
  status: string;
  created: string;
  uptimeSeconds: number | null;
  ports: unknown[];
  networkMode: string | null;
  unraid: Record<string, string | null> | null;
  protected: { by: 'label' } | { by: 'list'; pattern: string } | null;
}
interface ListResult {
  containers: Listed[];
  count: number;
  hiddenByFilters: number;
}

async function list(args: Record<string, unknown> = {}) {
  const res = (await client.callTool({ name: 'docker_list', arguments: args })) as CallToolResult;
  return {
    res,
    data: res.structuredContent as ListResult,
    text: (res.content[0] as { text: string }).text,
  };
}
const mine = (r: ListResult) => r.containers.filter((c) => c.name.startsWith(P));

beforeAll(async () => {
  ids.web = await td.createContainer(
    `${P}web`,
    {
      'net.unraid.docker.managed': 'dockerman',
      'net.unraid.docker.icon': 'https://example.com/web.png',
      'net.unraid.docker.webui': 'http://[IP]:[PORT:8080]/',
      'unraid-mcp.protected': 'true',
    },
    true,
  );
  ids.db = await td.createContainer(`${P}db`);
  ids.plain = await td.createContainer(`${P}plain`);
  ids.secret = await td.createContainer(`${P}secret-vault`, {}, true);
  srv = await startTestServer({
    tools: toolsOf('docker'),
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    policy: {
      filters: { containers: { allow: [], deny: [`${P}secret*`] } },
      protected: { containers: [`${P}d?`, `${P}never-there`] },
    },
    tokens: [{ name: 'reader', scope: 'read' }],
  });
  client = await srv.connect('reader');
});
afterAll(async () => {
  await srv?.close();
  await td.cleanup();
});

describe('docker_list', () => {
  it('lists running and stopped containers with state, uptime, image and Unraid labels', async () => {
    const { data, text } = await list({ name: `${P}*` });
    expect(JSON.parse(text)).toEqual(data);
    expect(mine(data).map((c) => c.name)).toEqual([`${P}db`, `${P}plain`, `${P}web`]);
    const [db, , web] = mine(data) as [Listed, Listed, Listed];
    expect(web).toMatchObject({
      id: ids.web?.slice(0, 12),
      image: inject('testImage'),
      state: 'running',
      ports: [],
      networkMode: 'none',
      unraid: {
        managed: 'dockerman',
        icon: 'https://example.com/web.png',
        webui: 'http://[IP]:[PORT:8080]/',
        shell: null,
      },
    });
    expect(web.status).toMatch(/^Up /);
    expect(web.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(web.uptimeSeconds).toBeLessThan(120);
    expect(Date.now() - Date.parse(web.created)).toBeLessThan(120_000);
    expect(db).toMatchObject({ state: 'created', uptimeSeconds: null, unraid: null });
    expect(data.count).toBe(data.containers.length);
  });

  it("leaves out containers hidden by the owner's filters and only counts them", async () => {
    const { data, text } = await list();
    expect(text).not.toContain('secret-vault');
    expect(text).not.toContain(ids.secret?.slice(0, 12));
    expect(data.hiddenByFilters).toBe(1);
    // the count does not depend on the name filter, so a glob cannot probe for hidden names
    expect((await list({ name: `${P}secret*` })).data).toMatchObject({
      containers: [],
      count: 0,
      hiddenByFilters: 1,
    });
    expect((await list({ name: 'no-such-container-*' })).data.hiddenByFilters).toBe(1);
  });

  it('narrows by state, running-only, glob and plain text (case-insensitive)', async () => {
    expect(mine((await list({ state: 'running' })).data).map((c) => c.name)).toEqual([`${P}web`]);
    expect(mine((await list({ state: 'created' })).data).map((c) => c.name)).toEqual([`${P}db`, `${P}plain`]);
    expect(mine((await list({ all: false })).data).map((c) => c.name)).toEqual([`${P}web`]);
    expect((await list({ name: `${P.toUpperCase()}W?B` })).data.containers.map((c) => c.name)).toEqual([
      `${P}web`,
    ]);
    expect((await list({ name: `${P}d` })).data.containers.map((c) => c.name)).toEqual([`${P}db`]);
    expect((await list({ state: 'exited', name: `${P}*` })).data).toMatchObject({ containers: [], count: 0 });
  });

  it('marks protected containers and says why: the label, or the protected list entry that matches', async () => {
    const { data } = await list({ name: `${P}*` });
    const byName = Object.fromEntries(mine(data).map((c) => [c.name, c.protected]));
    expect(byName).toEqual({
      [`${P}web`]: { by: 'label' },
      [`${P}db`]: { by: 'list', pattern: `${P}d?` },
      [`${P}plain`]: null,
    });
  });

  it('the mark is what the change tools act on: a marked container is refused, an unmarked one is not', async () => {
    const admin = await startTestServer({
      tools: toolsOf('docker'),
      env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
      policy: { protected: { containers: [`${P}d?`] }, confirmModes: { docker_pause: 'none' } },
    });
    try {
      const c = await admin.connect();
      const pause = async (id: string) =>
        (await c.callTool({ name: 'docker_pause', arguments: { id } })) as CallToolResult;
      for (const name of [`${P}web`, `${P}db`]) {
        const res = await pause(name);
        expect(res.isError).toBe(true);
        expect((res.content[0] as { text: string }).text).toMatch(/is protected/);
      }
      // plain is not running: the refusal, if any, is about its state, not protection
      const plain = await pause(`${P}plain`);
      expect((plain.content[0] as { text: string }).text).not.toMatch(/protected/);
    } finally {
      await admin.close();
    }
  });

  it('refuses unknown arguments and states', async () => {
    const bad = await list({ state: 'sleeping' });
    expect(bad.res.isError).toBe(true);
    expect(bad.text).toMatch(/^Invalid arguments for docker_list: /);
    expect((await list({ nme: 'x' })).res.isError).toBe(true);
  });

  it('hidden containers cannot be reached by the other tools either', async () => {
    const res = (await client.callTool({
      name: 'docker_inspect',
      arguments: { id: ids.secret as string },
    })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect((res.content[0] as { text: string }).text).toMatch(/is denied by the Docker filter/);
  });
});
