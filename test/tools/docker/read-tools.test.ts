import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { toolsOf } from '../../helpers/test-tools.js';

/** The read-only Docker toolset as a client sees it: names, annotations, schemas. */
let srv: TestServer;
let client: Client;

beforeAll(async () => {
  srv = await startTestServer({
    tools: toolsOf('docker'),
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tokens: [{ name: 'reader', scope: 'read' }],
  });
  client = await srv.connect('reader');
});
afterAll(() => srv?.close());

describe('docker read tools', () => {
  it('are all listed to a read token, in order, read-only, with strict inputs and output schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'docker_list',
      'docker_inspect',
      'docker_logs',
      'docker_stats',
      'docker_images',
      'docker_network_list',
      'docker_network_inspect',
    ]);
    for (const t of tools) {
      expect(t.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      });
      expect(t.inputSchema.additionalProperties).toBe(false);
      expect(t.outputSchema).toBeDefined();
      expect(t.description?.length).toBeGreaterThan(150);
      for (const [field, schema] of Object.entries(t.inputSchema.properties ?? {})) {
        expect((schema as { description?: string }).description, `${t.name}.${field}`).toBeTruthy();
      }
    }
  });

  it('say clearly when Docker is not running', async () => {
    const down = await startTestServer({ tools: toolsOf('docker') });
    try {
      const c = await down.connect();
      for (const [name, args] of [
        ['docker_list', {}],
        ['docker_images', {}],
        ['docker_logs', { id: 'plex' }],
      ] as const) {
        const res = await c.callTool({ name, arguments: args });
        expect(res.isError, name).toBe(true);
        expect((res.content as Array<{ text: string }>)[0]?.text, name).toBe(
          'The Docker service is not running. Start it in Settings → Docker, then try again.',
        );
      }
    } finally {
      await down.close();
    }
  });
});
