import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/start-server.js';

describe('HTTP and HTTPS through the admin API (the Settings view)', () => {
  let srv: TestServer;
  let holder: Server;
  let held: number;
  const revision = async () => (await srv.admin('GET', '/api/settings')).json.revision as string;
  const put = async (body: unknown) =>
    srv.admin('PUT', '/api/settings', body, { 'If-Match': `"${await revision()}"` });

  beforeAll(async () => {
    srv = await startTestServer();
    holder = createServer();
    await new Promise<void>((r) => holder.listen({ port: 0, host: '0.0.0.0' }, r));
    held = (holder.address() as { port: number }).port;
  });
  afterAll(async () => {
    holder.close();
    await srv?.close();
  });

  it('refuses both off next to the HTTPS switch, and changes nothing', async () => {
    const res = await put({ http: false, https: false });
    expect(res.status).toBe(400);
    expect(res.json.problems).toEqual([
      {
        field: 'https',
        message: 'http and https cannot both be off: no client could reach MCP (turn one of them on)',
      },
    ]);
    expect((await srv.admin('GET', '/api/settings')).json.settings).toMatchObject({
      http: true,
      https: true,
    });
  });

  it('refuses an HTTPS port another program holds, next to its field', async () => {
    const res = await put({ httpsPort: held });
    expect(res.status).toBe(400);
    expect(res.json.problems).toEqual([
      { field: 'httpsPort', message: `port ${held} is in use by another program on this server` },
    ]);
  });

  it('saves HTTPS off and a new port, to apply at the next restart', async () => {
    const res = await put({ https: false, httpsPort: 9443 });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      changed: ['https', 'httpsPort'],
      restartNeeded: ['https', 'httpsPort'],
    });
    const cfg = readFileSync(join(srv.env.configDir, 'unraid-mcp.cfg'), 'utf8');
    expect(cfg).toContain('HTTPS="no"');
    expect(cfg).toContain('HTTPS_PORT="9443"');
  });
});
