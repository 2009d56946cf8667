import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, mcpHeaders, INIT_BODY, type TestServer } from '../helpers/start-server.js';
import { readMessages } from '../helpers/sse.js';
import { rawRequest } from '../helpers/raw-request.js';
import { createToken } from '../../server/tokens/token-commands.js';
import { testTools } from '../helpers/test-tools.js';

let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer({
    tools: testTools,
    tokens: [
      { name: 'admin', scope: 'admin' },
      { name: 'reader', scope: 'read' },
    ],
  });
});
afterAll(() => srv.close());

const post = (body: unknown, headers: Record<string, string>, path = '/mcp') =>
  fetch(srv.origin + path, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** Opens a session with raw HTTP and returns its id. */
async function initSession(secret: string): Promise<string> {
  const res = await post(INIT_BODY, mcpHeaders(secret));
  expect(res.status).toBe(200);
  await readMessages(res);
  const id = res.headers.get('mcp-session-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id as string;
}

describe('authentication', () => {
  it('refuses a request without a token with 401 and a Bearer challenge', async () => {
    const res = await post(INIT_BODY, {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="unraid-mcp"');
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /Missing bearer token/,
    );
  });

  it('refuses a wrong token with 401 invalid_token', async () => {
    const res = await post(INIT_BODY, mcpHeaders('umcp_' + 'A'.repeat(43)));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses an expired token with 401 saying it expired', async () => {
    const expires = new Date(Date.now() + 2000);
    const { secret } = await createToken(srv.env.configDir, 'short-lived', 'admin', expires, new Date());
    await new Promise((r) => setTimeout(r, 300)); // the running server notices tokens.json changes within 250 ms
    expect((await post(INIT_BODY, mcpHeaders(secret))).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expires.getTime() - Date.now()) + 50));
    const res = await post(INIT_BODY, mcpHeaders(secret));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error_description="token expired"');
  });

  it('refuses a token in the query string with 400 invalid_request even when the header is valid', async () => {
    const res = await post(
      INIT_BODY,
      mcpHeaders(srv.secrets.admin as string),
      `/mcp?access_token=${srv.secrets.admin}`,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="unraid-mcp", error="invalid_request"');
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^A token was found in the URL \(the "access_token" parameter\)\. Tokens belong in the header "Authorization: Bearer <token>", never in the URL/,
    );
  });

  it('binds a session to its token: another token using the session id gets 404', async () => {
    const id = await initSession(srv.secrets.admin as string);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const other = await post(
      list,
      mcpHeaders(srv.secrets.reader as string, {
        'mcp-session-id': id,
        'mcp-protocol-version': '2025-11-25',
      }),
    );
    expect(other.status).toBe(404);
    const own = await post(
      list,
      mcpHeaders(srv.secrets.admin as string, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }),
    );
    expect(own.status).toBe(200);
  });
});

describe('host and origin', () => {
  it('refuses a foreign Host with 403', async () => {
    const foreign = await rawRequest(srv.port, { path: '/healthz', headers: { Host: 'evil.example:8765' } });
    expect(foreign.status).toBe(403);
    expect((JSON.parse(foreign.body) as { error: { message: string } }).error.message).toMatch(
      /^Host "evil.example:8765" is not allowed/,
    );
    const rebinding = await rawRequest(srv.port, {
      method: 'POST',
      path: '/mcp',
      headers: { ...mcpHeaders(srv.secrets.admin as string), Host: 'attacker.test' },
      body: JSON.stringify(INIT_BODY),
    });
    expect(rebinding.status).toBe(403);
    expect(
      (await rawRequest(srv.port, { path: '/healthz', headers: { Host: `localhost:${srv.port}` } })).status,
    ).toBe(200);
  });

  it('refuses a foreign Origin and Origin: null with 403, accepts its own origin', async () => {
    const base = mcpHeaders(srv.secrets.admin as string);
    expect((await post(INIT_BODY, { ...base, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(INIT_BODY, { ...base, Origin: 'null' })).status).toBe(403);
    expect((await post(INIT_BODY, { ...base, Origin: srv.origin })).status).toBe(200);
  });

  it('grants no CORS headers', async () => {
    const res = await post(INIT_BODY, { ...mcpHeaders(srv.secrets.admin as string), Origin: srv.origin });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('request shape', () => {
  it('rejects a JSON-RPC batch with 400', async () => {
    const res = await post([INIT_BODY], mcpHeaders(srv.secrets.admin as string));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /batches are not supported/,
    );
  });

  it('rejects a 2 MB body with 413', async () => {
    const big = JSON.stringify({
      ...INIT_BODY,
      params: { ...INIT_BODY.params, pad: 'x'.repeat(2 * 1024 * 1024) },
    });
    const res = await post(big, mcpHeaders(srv.secrets.admin as string));
    expect(res.status).toBe(413);
  });

  it('rejects malformed JSON with 400 and a JSON-RPC parse error', async () => {
    const res = await post('{"jsonrpc": "2.0", "id": 1, "method": ', mcpHeaders(srv.secrets.admin as string));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('rejects a wrong content type with 415 and a missing event-stream Accept with 406', async () => {
    const headers = mcpHeaders(srv.secrets.admin as string);
    expect((await post(INIT_BODY, { ...headers, 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await post(INIT_BODY, { ...headers, Accept: 'application/json' })).status).toBe(406);
  });

  it('rejects an unsupported MCP-Protocol-Version with 400', async () => {
    const id = await initSession(srv.secrets.admin as string);
    const res = await post(
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
      mcpHeaders(srv.secrets.admin as string, { 'mcp-session-id': id, 'mcp-protocol-version': '1999-01-01' }),
    );
    expect(res.status).toBe(400);
  });

  it('answers 404 for an unknown session and 400 for a non-initialize request without one', async () => {
    const headers = mcpHeaders(srv.secrets.admin as string);
    expect(
      (await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { ...headers, 'mcp-session-id': 'nope' }))
        .status,
    ).toBe(404);
    expect((await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, headers)).status).toBe(400);
  });

  it('ends a session on DELETE', async () => {
    const id = await initSession(srv.secrets.admin as string);
    const headers = mcpHeaders(srv.secrets.admin as string, {
      'mcp-session-id': id,
      'mcp-protocol-version': '2025-11-25',
    });
    expect((await fetch(srv.url, { method: 'DELETE', headers })).status).toBe(200);
    expect((await post({ jsonrpc: '2.0', id: 5, method: 'tools/list' }, headers)).status).toBe(404);
  });
});

describe('tools over the SDK client', () => {
  it('answers an unknown tool with a JSON-RPC invalid-params error', async () => {
    const client = await srv.connect('admin');
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(
      /MCP error -32602: Unknown tool "no_such_tool"/,
    );
  });

  it('answers an extra unknown argument with an isError result naming it', async () => {
    const client = await srv.connect('admin');
    const res = await client.callTool({ name: 'test_echo', arguments: { message: 'hi', sneaky: true } });
    expect(res.isError).toBe(true);
    expect((res.content as Array<{ text: string }>)[0]?.text).toBe(
      'Invalid arguments for test_echo: unknown argument "sneaky" (not in this tool\'s input schema)',
    );
  });

  it('hides tools above the token scope and refuses them naming the scope', async () => {
    const client = await srv.connect('reader');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('test_echo');
    expect(names).not.toContain('test_slow');
    expect(names).not.toContain('test_admin_write');
    const res = await client.callTool({ name: 'test_admin_write', arguments: { name: 'x' } });
    expect(res.isError).toBe(true);
    expect((res.content as Array<{ text: string }>)[0]?.text).toMatch(
      /needs a token with the "admin" scope; this token has "read"/,
    );
  });
});
