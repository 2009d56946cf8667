import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { safetyTools } from '../../helpers/test-tools.js';
import { testDocker } from '../../helpers/docker.js';

/** Its own file because it waits out the shortest allowed token lifetime (10 s) while other files run. */
const td = testDocker();
let srv: TestServer;
beforeAll(async () => {
  await td.createContainer('tx-web');
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
    settingsCfg: 'CONFIRM_TOKEN_TTL_SECONDS="10"\n',
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

it('refuses an expired confirmation token', { timeout: 30_000 }, async () => {
  const client = await srv.connect();
  const first = (await client.callTool({ name: 'test_stop', arguments: { id: 'tx-web' } })) as CallToolResult;
  const token = (first._meta?.['unraid-mcp/confirmation'] as { token: string; expiresAt: string }).token;
  await new Promise((r) => setTimeout(r, 10_300));
  const late = (await client.callTool({
    name: 'test_stop',
    arguments: { id: 'tx-web', confirmation_token: token },
  })) as CallToolResult;
  expect((late.content[0] as { text: string }).text).toMatch(
    /^The confirmation_token has expired\. Nothing was done\./,
  );
});
