import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startDockerd, importBusyboxImage, type Dockerd } from '../../../scripts/dockerd.mjs';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { allTools } from '../../../server/tools/index.js';

/**
 * Docker going away and coming back while the sidecar runs: tools answer in plain words, /readyz
 * reports it, and everything works again without restarting the sidecar. Uses its own dockerd, since
 * it stops it.
 */
let dockerd: Dockerd;
let srv: TestServer;
beforeAll(async () => {
  dockerd = await startDockerd();
  await importBusyboxImage(dockerd.socket);
  srv = await startTestServer({ tools: allTools, env: { DOCKER_HOST: `unix://${dockerd.socket}` } });
});
afterAll(async () => {
  await srv.close();
  await dockerd.stop();
});

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const readyz = async () => (await fetch(`${srv.origin}/readyz`)).json() as Promise<{ unavailable: string[] }>;
async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v = await probe();
  for (let i = 0; i < 60 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await probe();
  }
  return v;
}

describe('Docker service availability', () => {
  it(
    'answers "not running" while dockerd is down and recovers by itself when it is back',
    { timeout: 60_000 },
    async () => {
      const client = await srv.connect();
      expect((await client.callTool({ name: 'docker_list', arguments: {} })).isError).toBeFalsy();

      await dockerd.pause();
      const down = (await client.callTool({ name: 'docker_list', arguments: {} })) as CallToolResult;
      expect(down.isError).toBe(true);
      expect(text(down)).toBe(
        'The Docker service is not running. Start it in Settings → Docker, then try again.',
      );
      expect((await eventually(readyz, (r) => r.unavailable.includes('docker'))).unavailable).toContain(
        'docker',
      );

      dockerd = await startDockerd({ dir: dockerd.dir });
      const up = (await client.callTool({ name: 'docker_list', arguments: {} })) as CallToolResult;
      expect(up.isError).toBeFalsy();
      expect((await eventually(readyz, (r) => !r.unavailable.includes('docker'))).unavailable).not.toContain(
        'docker',
      );
    },
  );
});
