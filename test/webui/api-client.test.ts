import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, errorFrom, etagValue, readUrl, writeForm } from '../../webui/api/client.js';

describe('webui API client: request encoding', () => {
  it('reads go to ?route= with the sidecar query parameters, empty ones left out', () => {
    expect(
      readUrl('/plugins/unraid-mcp/include/api.php', '/audit', {
        tool: 'docker_stop',
        q: '',
        cursor: null,
        limit: 50,
      }),
    ).toBe('/plugins/unraid-mcp/include/api.php?route=%2Faudit&tool=docker_stop&limit=50');
    expect(readUrl('/api.php?x=1', '/status')).toBe('/api.php?x=1&route=%2Fstatus');
  });

  it('writes carry csrf_token, method, body as JSON text and if_match quoted', () => {
    const f = writeForm('tok', 'PUT', { readOnly: true }, 'rev-7');
    expect(Object.fromEntries(f)).toEqual({
      csrf_token: 'tok',
      method: 'PUT',
      body: '{"readOnly":true}',
      if_match: '"rev-7"',
    });
    expect(Object.fromEntries(writeForm('tok', 'DELETE'))).toEqual({ csrf_token: 'tok', method: 'DELETE' });
  });

  it('tells the bridge’s codes from the sidecar’s field problems', () => {
    const bridge = errorFrom(503, { error: 'The unraid-mcp service is not running.', code: 'not_running' });
    expect([bridge.status, bridge.code, bridge.message]).toEqual([
      503,
      'not_running',
      'The unraid-mcp service is not running.',
    ]);
    const sidecar = errorFrom(400, {
      error: 'Invalid body: name: must be 1-64 letters',
      problems: [{ field: 'name', message: 'must be 1-64 letters' }],
    });
    expect(sidecar.code).toBeNull();
    expect(sidecar.problems).toEqual([{ field: 'name', message: 'must be 1-64 letters' }]);
    expect(errorFrom(504, null).message).toMatch(/did not answer within 5 seconds/);
    expect(errorFrom(418, { code: 'teapot' }).code).toBeNull();
    expect(etagValue('W/"abc"')).toBe('abc');
    expect(etagValue(null)).toBeNull();
  });
});

describe('webui API client over HTTP', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  const reachable: boolean[] = [];

  beforeAll(async () => {
    // Answers as the bridge does: JSON bodies, the sidecar's status codes and ETag passed through.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        const route = new URL(req.url!, 'http://x').searchParams.get('route');
        if (route === '/settings' && req.method === 'GET') {
          res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"r1"' }).end('{"revision":"r1"}');
        } else if (route === '/settings') {
          res.writeHead(409, { 'Content-Type': 'application/json' }).end('{"error":"stale","problems":[]}');
        } else if (route === '/down') {
          res
            .writeHead(503, { 'Content-Type': 'application/json' })
            .end('{"error":"not running","code":"not_running"}');
        } else if (route === '/hang') {
          // Never answers, like a WebGUI whose php-fpm is stuck.
        } else if (route === '/tokens/x') {
          res.writeHead(204).end();
        } else {
          res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api.php`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  const client = () => new ApiClient({ api: base, csrf: 'csrf-1', onReachable: (up) => reachable.push(up) });

  it('GET returns the JSON and the ETag value', async () => {
    const got = await client().get<{ revision: string }>('/settings');
    expect(got).toEqual({ data: { revision: 'r1' }, etag: 'r1' });
    expect(seen.at(-1)!.method).toBe('GET');
  });

  it('a write is a form POST with the CSRF token in the form and the header', async () => {
    const err = await client()
      .send('/settings', 'PUT', { maxSessions: 3 }, 'r1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(409);
    const req = seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['x-csrf-token']).toBe('csrf-1');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      csrf_token: 'csrf-1',
      method: 'PUT',
      body: '{"maxSessions":3}',
      if_match: '"r1"',
    });
  });

  it('a 204 answers null; not_running reports the service unreachable, then reachable again', async () => {
    reachable.length = 0;
    expect((await client().send('/tokens/x', 'DELETE')).data).toBeNull();
    const down = await client()
      .get('/down')
      .catch((e: unknown) => e);
    expect((down as ApiError).code).toBe('not_running');
    await client().get('/settings');
    expect(reachable).toEqual([true, false, true]);
  });

  it('an answer that is not JSON (a login page) is an error, not data', async () => {
    await expect(client().get('/status')).rejects.toThrow(/not JSON/);
  });

  it('a WebGUI that does not answer is an error after the timeout', async () => {
    const started = Date.now();
    const slow = new ApiClient({ api: base, csrf: 'c', timeoutMs: 300 });
    await expect(slow.get('/hang')).rejects.toThrow('The WebGUI did not answer within 0.3 seconds.');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('start posts action=start with the CSRF token', async () => {
    await client()
      .start()
      .catch(() => {});
    const req = seen.at(-1)!;
    expect(req.url).toBe('/api.php?action=start');
    expect(new URLSearchParams(req.body).get('csrf_token')).toBe('csrf-1');
  });
});
