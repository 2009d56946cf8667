import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { assertBuilt, runCli, tempEnv } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testEcho } from '../helpers/test-tools.js';
import { readAudit } from '../helpers/audit-file.js';

/** `unraid-mcp sessions list | close ID`: the built CLI against a running sidecar's admin socket. */
let srv: TestServer;
let env: Record<string, string>;
beforeAll(async () => {
  assertBuilt();
  srv = await startTestServer({ tools: [testEcho], tokens: [{ name: 'laptop', scope: 'read' }] });
  env = await tempEnv({ UNRAID_MCP_ADMIN_SOCKET: srv.env.adminSocket });
});
afterAll(async () => {
  await srv.close();
});

describe('unraid-mcp sessions', () => {
  it('lists open sessions (table and --json) and closes one by id, audited as "cli"', async () => {
    expect(await runCli(['sessions', 'list'], env)).toMatchObject({ code: 0, stdout: 'No open sessions.\n' });

    const client = await srv.connect('laptop');
    await client.callTool({ name: 'test_echo', arguments: { message: 'hi' } });
    const id = (client.transport as StreamableHTTPClientTransport).sessionId as string;

    const listed = await runCli(['sessions', 'list'], env);
    expect(listed.code).toBe(0);
    const [header, row, ...more] = listed.stdout.trimEnd().split('\n');
    expect(more).toEqual([]);
    expect(header).toMatch(/^ID\s+TOKEN\s+CLIENT\s+OPENED\s+LAST ACTIVE\s+CALLS\s+STATE$/);
    expect(row).toMatch(
      new RegExp(
        `^${id}\\s+laptop\\s+vitest 1\\.0\\.0\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+\\d{4}-\\S+Z\\s+1\\s+idle$`,
      ),
    );

    const json = await runCli(['sessions', 'list', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        id,
        token: 'laptop',
        scope: 'read',
        client: { name: 'vitest', version: '1.0.0' },
        calls: 1,
        inFlight: 0,
      }),
    ]);

    const closed = await runCli(['sessions', 'close', id], env);
    expect(closed).toMatchObject({
      code: 0,
      stdout: `Closed session ${id} (token "laptop", client vitest 1.0.0, 1 call). Its client must start a new session.\n`,
    });
    const err = (await client.ping().then(
      () => null,
      (e: unknown) => e,
    )) as { code?: number } | null;
    expect(err?.code).toBe(404);
    expect((await runCli(['sessions', 'list'], env)).stdout).toBe('No open sessions.\n');
    const event = (await readAudit(srv.env.auditDir)).find((r) => r.event === 'admin.session_closed');
    expect(event).toMatchObject({ principal: 'cli', details: { openedBy: 'laptop' } });
  });

  it('says plainly when the id is unknown or missing', async () => {
    const unknown = await runCli(['sessions', 'close', 'no-such-session'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'error: No open session with id "no-such-session": it was closed already, or never existed. List the open ones with GET /api/sessions (unraid-mcp sessions list).\n',
    );
    const missing = await runCli(['sessions', 'close'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^sessions close: give exactly one session id\n/);
    const bare = await runCli(['sessions'], env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^unknown command: sessions\n/);
  });

  it('needs the running service', async () => {
    const alone = await tempEnv();
    const res = await runCli(['sessions', 'list'], alone);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: the unraid-mcp service is not running \(no admin API at /);
  });
});
