import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, mcpHeaders, INIT_BODY, type TestServer } from '../helpers/start-server.js';

/**
 * Answers sent before the request body was read (413, 415, 401, 403, 404, 405) must say
 * `Connection: close` and end the connection cleanly, so that a keep-alive client's next request goes
 * out on a fresh connection instead of a socket the server is about to drop (ECONNRESET).
 */

let srv: TestServer;
let agent: Agent;

beforeAll(async () => {
  srv = await startTestServer({ tokens: [{ name: 'admin', scope: 'admin' }] });
});
afterAll(() => srv.close());
afterEach(() => agent?.destroy());

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The local port of the connection the answer came on (tells connections apart). */
  localPort: number;
}

/** One request through a keep-alive agent; the body is written in `chunks` pieces (chunked when no length). */
function send(
  opts: { method?: string; path?: string; headers: Record<string, string>; body?: string | Buffer },
  chunked = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers = { ...opts.headers };
    if (body && !chunked) headers['Content-Length'] = String(body.length);
    const req = request(
      {
        host: '127.0.0.1',
        port: srv.port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/mcp',
        headers,
        agent,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            localPort: req.socket?.localPort ?? 0,
          }),
        );
      },
    );
    req.on('error', reject);
    if (!body) return void req.end();
    if (!chunked) return void req.end(body);
    // Chunked: several writes, so the limit is crossed while streaming, not from a Content-Length.
    const step = 256 * 1024;
    let off = 0;
    const next = () => {
      if (off >= body.length) return void req.end();
      const piece = body.subarray(off, off + step);
      off += step;
      if (req.write(piece)) setImmediate(next);
      else req.once('drain', next);
    };
    next();
  });
}

const bigBody = () =>
  JSON.stringify({ ...INIT_BODY, params: { ...INIT_BODY.params, pad: 'x'.repeat(2 * 1024 * 1024) } });

/** The keep-alive request that must work after an early answer on the same agent. */
async function followUp(): Promise<Answer> {
  return send({ headers: mcpHeaders(srv.secrets.admin as string), body: JSON.stringify(INIT_BODY) });
}

describe('answers sent before the body is read', () => {
  it('a 413 (Content-Length over the limit) says Connection: close and the next request works', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await send({ headers: mcpHeaders(srv.secrets.admin as string), body: bigBody() });
    expect(first.status).toBe(413);
    expect(first.headers.connection).toBe('close');
    expect(JSON.parse(first.body).error.message).toMatch(/Request body too large/);
    const next = await followUp();
    expect(next.status).toBe(200);
  });

  it('a 413 found while streaming a chunked body says Connection: close and the next request works', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await send({ headers: mcpHeaders(srv.secrets.admin as string), body: bigBody() }, true);
    expect(first.status).toBe(413);
    expect(first.headers.connection).toBe('close');
    const next = await followUp();
    expect(next.status).toBe(200);
  });

  it('repeated 413s on one keep-alive agent never reset a request', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) {
      const a = await send(
        { headers: mcpHeaders(srv.secrets.admin as string), body: bigBody() },
        i % 2 === 1,
      );
      expect(a.status).toBe(413);
      expect((await followUp()).status).toBe(200);
    }
  });

  it.each([
    [
      '415 (wrong content type)',
      415,
      () => ({ headers: { ...mcpHeaders(srv.secrets.admin as string), 'Content-Type': 'text/plain' } }),
    ],
    [
      '401 (no token)',
      401,
      () => {
        const { Authorization: _, ...rest } = mcpHeaders(srv.secrets.admin as string);
        return { headers: rest };
      },
    ],
    [
      '403 (foreign Origin)',
      403,
      () => ({ headers: { ...mcpHeaders(srv.secrets.admin as string), Origin: 'http://evil.example' } }),
    ],
    ['404 (unknown path)', 404, () => ({ headers: mcpHeaders(srv.secrets.admin as string), path: '/nope' })],
    ['405 (PUT)', 405, () => ({ headers: mcpHeaders(srv.secrets.admin as string), method: 'PUT' })],
  ])(
    'a %s with an unread body says Connection: close and the next request works',
    async (_n, status, make) => {
      agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const first = await send({ ...make(), body: JSON.stringify(INIT_BODY) });
      expect(first.status).toBe(status);
      expect(first.headers.connection).toBe('close');
      const next = await followUp();
      expect(next.status).toBe(200);
      expect(next.localPort).not.toBe(first.localPort);
    },
  );

  it('an answer after the body was read keeps the connection open', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await send({
      headers: mcpHeaders(srv.secrets.admin as string),
      body: '{"jsonrpc": "2.0", "id": 1, "method": ',
    });
    expect(first.status).toBe(400);
    expect(first.headers.connection).toBe('keep-alive');
    const next = await followUp();
    expect(next.status).toBe(200);
    expect(next.localPort).toBe(first.localPort);
  });

  it('a body-less GET answered at once keeps the connection open', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await send({ method: 'GET', path: '/healthz', headers: {} });
    expect(first.status).toBe(200);
    expect(first.headers.connection).toBe('keep-alive');
    const second = await send({ method: 'GET', path: '/healthz', headers: {} });
    expect(second.localPort).toBe(first.localPort);
  });
});
