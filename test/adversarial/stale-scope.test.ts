import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';
import { testDocker } from '../helpers/docker.js';

/**
 * The attack: a client opened a session while its token had the admin scope; the owner then lowers
 * the token to read (or lets it expire) by editing tokens.json. The open session must not keep the
 * old powers, and the client must be told that its tools changed.
 */
const td = testDocker();
const VICTIM = 'umcp-adv-scope-victim';
let srv: TestServer;

beforeAll(async () => {
  await td.createContainer(VICTIM);
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: testTools,
    tokens: [{ name: 'agent', scope: 'admin' }],
    policy: { confirmModes: { test_admin_write: 'none' } },
  });
});
afterAll(async () => {
  await srv?.close();
  await td.cleanup();
});

const tokensFile = () => join(srv.env.configDir, 'tokens.json');
async function editToken(change: Record<string, unknown>): Promise<void> {
  const file = JSON.parse(await readFile(tokensFile(), 'utf8')) as { tokens: Array<Record<string, unknown>> };
  Object.assign(file.tokens[0] as Record<string, unknown>, change);
  await writeFile(tokensFile(), JSON.stringify(file, null, 2));
  // tokens.json is re-read at most every 250 ms (README: "within a quarter of a second").
  await new Promise((r) => setTimeout(r, 300));
}
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

/** Resolves with the next tools/list_changed notification the client receives. */
function nextListChanged(client: Client): Promise<void> {
  return new Promise((resolve) =>
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
  );
}

describe('a token whose scope is lowered while its session is open', () => {
  it('loses the admin tools in that session at once, and the client is told to list them again', async () => {
    await editToken({ scope: 'admin' });
    const client = await srv.connect('agent');
    const before = await client.listTools();
    expect(before.tools.map((t) => t.name)).toContain('test_admin_write');
    const ok = (await client.callTool({
      name: 'test_admin_write',
      arguments: { name: VICTIM },
    })) as CallToolResult;
    expect(ok.isError).toBeFalsy();

    const changed = nextListChanged(client);
    await editToken({ scope: 'read' });
    // The attack: keep using the session opened with the admin scope.
    const res = (await client.callTool({
      name: 'test_admin_write',
      arguments: { name: VICTIM },
    })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/needs a token with the "admin" scope; this token has "read"/);
    await changed;
    const after = await client.listTools();
    expect(after.tools.map((t) => t.name)).not.toContain('test_admin_write');
    expect(after.tools.map((t) => t.name)).toContain('test_echo');

    const audit = await readFile(join(srv.env.auditDir, 'audit.jsonl'), 'utf8');
    const refused = audit
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { stage: string; tool?: string; decision?: { allowed: boolean; rule: string } },
      )
      .filter((r) => r.tool === 'test_admin_write' && r.stage === 'outcome');
    expect(refused.at(-1)?.decision).toEqual({ allowed: false, rule: 'scope' });
    await client.close();
  });

  it('tells an idle client with an open stream that its tools changed, without any request from it', async () => {
    await editToken({ scope: 'read' });
    const client = await srv.connect('agent');
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('test_admin_write');
    const changed = nextListChanged(client);
    await editToken({ scope: 'admin' });
    // No request from this client: the session registry notices the change on its own (every few seconds).
    await changed;
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('test_admin_write');
    await client.close();
  }, 20_000);

  it('refuses the next request of a session whose token expired, and closes the session', async () => {
    await editToken({ scope: 'admin', expires: null });
    const client = await srv.connect('agent');
    await client.listTools();
    await editToken({ expires: new Date(Date.now() - 60_000).toISOString() });
    await expect(client.callTool({ name: 'test_echo', arguments: { message: 'hi' } })).rejects.toThrow(
      /401|expired/,
    );
    await editToken({ expires: null });
  });
});
