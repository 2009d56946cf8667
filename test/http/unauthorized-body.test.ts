import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, mcpHeaders, INIT_BODY, type TestServer } from '../helpers/start-server.js';

/** A client without a token is told, in the 401 body itself, how to get one. */
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ tokens: [{ name: 'admin', scope: 'admin' }] });
});
afterAll(() => srv.close());

describe('401 without a token', () => {
  it.each([
    ['POST /mcp', '/mcp', 'POST'],
    ['GET /metrics', '/metrics', 'GET'],
  ])('%s: the body says which header to send and how the owner creates a token', async (_n, path, method) => {
    const { Authorization: _, ...headers } = mcpHeaders(srv.secrets.admin as string);
    const res = await fetch(srv.origin + path, {
      method,
      headers,
      body: method === 'POST' ? JSON.stringify(INIT_BODY) : undefined,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="unraid-mcp"');
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toBe(
      'Missing bearer token. Send "Authorization: Bearer <token>"; the owner creates tokens in ' +
        'Settings → unraid-mcp or with "unraid-mcp token create".',
    );
  });
});

describe('401 with a token that does not work', () => {
  it('a wrong token: the body says what may be wrong and how to get a working one', async () => {
    const res = await fetch(`${srv.origin}/mcp`, {
      method: 'POST',
      headers: mcpHeaders(`umcp_${'x'.repeat(43)}`),
      body: JSON.stringify(INIT_BODY),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toBe(
      'Invalid token: it was mistyped, revoked, or belongs to another server. The owner lists tokens with ' +
        '"unraid-mcp token list" and creates one with "unraid-mcp token create" (or in Settings → unraid-mcp).',
    );
  });
});
