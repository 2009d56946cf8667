import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { toolsOf } from '../../helpers/test-tools.js';

/** docker_images over real HTTP: the suite's busybox image, an extra tag, and the container counts. */
const P = `dim-${randomBytes(3).toString('hex')}`;
const td = testDocker();
let srv: TestServer;
let client: Client;
const extraTag = `${P}/tagged:v1`;

interface Image {
  id: string;
  repoTags: string[];
  dangling: boolean;
  sizeBytes: number;
  created: string;
  containers: number;
}

async function images(args: Record<string, unknown> = {}) {
  const res = (await client.callTool({ name: 'docker_images', arguments: args })) as CallToolResult;
  return {
    res,
    data: res.structuredContent as { images: Image[]; count: number; totalSizeBytes: number },
    text: (res.content[0] as { text: string }).text,
  };
}

beforeAll(async () => {
  await td.docker.getImage(inject('testImage')).tag({ repo: `${P}/tagged`, tag: 'v1' });
  await td.createContainer(`${P}-user`);
  srv = await startTestServer({
    tools: toolsOf('docker'),
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv?.close();
  await td.cleanup();
  await td.docker
    .getImage(extraTag)
    .remove({ noprune: true })
    .catch(() => {});
});

describe('docker_images', () => {
  it('lists the images with tags, size, creation time and container count', async () => {
    const { data, text } = await images();
    expect(JSON.parse(text)).toEqual(data);
    const busybox = data.images.find((i) => i.repoTags.includes(inject('testImage'))) as Image;
    expect(busybox).toBeDefined();
    expect(busybox.repoTags).toContain(extraTag);
    expect(busybox).toMatchObject({ dangling: false });
    expect(busybox.id).toMatch(/^[0-9a-f]{12}$/);
    expect(busybox.sizeBytes).toBeGreaterThan(100_000);
    expect(Number.isNaN(Date.parse(busybox.created))).toBe(false);
    expect(busybox.containers).toBeGreaterThanOrEqual(1);
    expect(data.count).toBe(data.images.length);
    expect(data.totalSizeBytes).toBeGreaterThanOrEqual(busybox.sizeBytes);
  });

  it('narrows by a glob or text on the tags', async () => {
    expect((await images({ name: `${P}/*` })).data.images.map((i) => i.repoTags.includes(extraTag))).toEqual([
      true,
    ]);
    expect((await images({ name: `${P.toUpperCase()}/TAGGED` })).data.count).toBe(1); // plain text: contains, any case
    expect((await images({ name: '*:v1' })).data.images.some((i) => i.repoTags.includes(extraTag))).toBe(
      true,
    );
    expect((await images({ name: 'no-such-image-*' })).data).toEqual({
      images: [],
      count: 0,
      totalSizeBytes: 0,
    });
  });
});
