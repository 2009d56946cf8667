import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebgui, type Webgui } from '../../scripts/webgui/start-webgui.mjs';
import { startTestServer, TESTDATA, type TestServer } from '../helpers/start-server.js';
import { readAudit } from '../helpers/audit-file.js';
import { bridgeClient } from './bridge-client.js';

// The PHP bridge over real HTTP: Debian's nginx and php-fpm (the page harness, CSRF prepend and login
// as on Unraid) in front of a real sidecar's admin socket.
let srv: TestServer;
let webgui: Webgui;
let bare: Webgui;
let bridge: ReturnType<typeof bridgeClient>;
let bareBridge: ReturnType<typeof bridgeClient>;
let cookie: string;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'umcp-bridge-'));
  const rc = join(scratch, 'rc.unraid-mcp');
  // The rc script's contract with the bridge: called with "start", exit 0 when started.
  await writeFile(
    rc,
    `#!/bin/sh\necho "$1" >> ${join(scratch, 'rc-calls')}\n[ -e ${join(scratch, 'fail')} ] && { echo "port 8765 is in use"; exit 1; }\nexit 0\n`,
  );
  await chmod(rc, 0o755);
  srv = await startTestServer({ env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` } });
  [webgui, bare] = await Promise.all([
    startWebgui({ adminSocket: srv.env.adminSocket, rcScript: rc }),
    startWebgui({ adminSocket: srv.env.adminSocket, csrfPrepend: false }),
  ]);
  cookie = await webgui.sessionCookie();
  bridge = bridgeClient(webgui, cookie);
  bareBridge = bridgeClient(bare, await bare.sessionCookie());
});
afterAll(async () => {
  await Promise.all([webgui?.stop(), bare?.stop()]);
  await srv?.close();
  await rm(scratch, { recursive: true, force: true });
});

const tokenNames = async () =>
  ((await srv.admin('GET', '/api/tokens')).json.tokens as Array<{ name: string }>).map((t) => t.name);
const adminEvents = async () => (await readAudit(srv.env.auditDir)).filter((r) => r.stage === 'event').length;

describe('the bridge forwards what the page needs', () => {
  it('passes reads through with their query string, status code and JSON', async () => {
    const status = await bridge.get('/status');
    expect(status.status).toBe(200);
    expect(status.headers.get('content-type')).toMatch(/application\/json/);
    expect(status.json).toMatchObject({ version: expect.any(String), pendingConfirmations: 0 });

    const bad = await bridge.get('/audit', { limit: 'many' });
    expect(bad.status).toBe(400);
    expect(bad.json.problems).toEqual([expect.objectContaining({ field: 'limit' })]);

    // One record by its seq (the audit view's detail), and the sidecar's 404 for one that is not there.
    const client = await srv.connect();
    await client.callTool({ name: 'system_overview', arguments: {} });
    await client.close();
    const newest = (await bridge.get('/audit', { limit: '1' })).json.records[0];
    const one = await bridge.get(`/audit/record/${newest.seq}`);
    expect(one.status).toBe(200);
    expect(one.json.record).toEqual(newest);
    expect((await bridge.get('/audit/record/999999')).status).toBe(404);
  });

  it('forwards a write with the CSRF token as a form field, and with the X-CSRF-Token header alone', async () => {
    const created = await bridge.post('/tokens', {
      csrf_token: webgui.csrfToken,
      body: JSON.stringify({ name: 'bridge-form', scope: 'read' }),
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      token: { name: 'bridge-form', scope: 'read' },
      secret: expect.any(String),
    });

    const byHeader = await bridge.post(
      '/tokens',
      { body: JSON.stringify({ name: 'bridge-header', scope: 'read' }) },
      { 'X-CSRF-Token': webgui.csrfToken },
    );
    expect(byHeader.status).toBe(201);
    expect(await tokenNames()).toEqual(expect.arrayContaining(['bridge-form', 'bridge-header']));

    const revoked = await bridge.write('/tokens/bridge-header', 'DELETE');
    expect(revoked.status).toBe(204);
    expect(await tokenNames()).not.toContain('bridge-header');
  });

  it("passes the sidecar's field errors and conflicts through unchanged", async () => {
    const invalid = await bridge.write('/tokens', 'POST', { name: 'no spaces allowed', scope: 'read' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.problems).toEqual([expect.objectContaining({ field: 'name' })]);
    const duplicate = await bridge.write('/tokens', 'POST', { name: 'bridge-form', scope: 'read' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error).toMatch(/already exists/);
    const notJson = await bridge.post('/tokens', { csrf_token: webgui.csrfToken, body: '{"name":' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/not valid JSON/);
  });

  it('carries the settings revision both ways: ETag out, if_match in, a stale save is 409', async () => {
    const got = await bridge.get('/settings');
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(`"${got.json.revision}"`);
    const saved = await bridge.write(
      '/settings',
      'PUT',
      { readOnly: true },
      { if_match: `"${got.json.revision}"` },
    );
    expect(saved.status).toBe(200);
    const stale = await bridge.write(
      '/settings',
      'PUT',
      { readOnly: false },
      { if_match: `"${got.json.revision}"` },
    );
    expect(stale.status).toBe(409);
    expect((await srv.admin('GET', '/api/settings')).json.settings.readOnly).toBe(true);
    await bridge.write('/settings', 'PUT', { readOnly: false });
  });

  it('streams the audit export with its Content-Disposition', async () => {
    const res = await bridge.get('/audit/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=/);
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: string });
    expect(lines.map((l) => l.event)).toContain('admin.token_created');
  });
});

describe('the bridge refuses', () => {
  it('a write without a CSRF token or with a wrong one: 403 from the WebGUI prepend, nothing forwarded', async () => {
    const before = await adminEvents();
    const missing = await bridge.post('/tokens', {
      body: JSON.stringify({ name: 'csrf-missing', scope: 'read' }),
    });
    expect(missing.status).toBe(403);
    expect(missing.json).toEqual({ error: 'missing csrf_token' });
    const wrong = await bridge.post(
      '/tokens',
      { csrf_token: 'A'.repeat(16), body: JSON.stringify({ name: 'csrf-wrong', scope: 'read' }) },
      { 'X-CSRF-Token': 'A'.repeat(16) },
    );
    expect(wrong.status).toBe(403);
    expect(wrong.json).toEqual({ error: 'wrong csrf_token' });
    expect(await tokenNames()).not.toContain('csrf-missing');
    expect(await tokenNames()).not.toContain('csrf-wrong');
    expect(await adminEvents()).toBe(before);
  });

  it('the same on its own, where no prepend checked first (code csrf, nothing forwarded)', async () => {
    const before = await adminEvents();
    const attempts = [
      bareBridge.post('/tokens', { body: JSON.stringify({ name: 'own-missing', scope: 'read' }) }),
      bareBridge.post('/tokens', {
        csrf_token: '',
        body: JSON.stringify({ name: 'own-empty', scope: 'read' }),
      }),
      bareBridge.post('/tokens', {
        csrf_token: `${bare.csrfToken}x`,
        body: JSON.stringify({ name: 'own-wrong', scope: 'read' }),
      }),
      bareBridge.post(
        '/tokens',
        { body: JSON.stringify({ name: 'own-wrong-header', scope: 'read' }) },
        { 'X-CSRF-Token': webgui.csrfToken },
      ),
      bareBridge.call('action=start', { method: 'POST' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ code: 'csrf' });
    }
    expect(await tokenNames()).not.toEqual(expect.arrayContaining([expect.stringMatching(/^own-/)]));
    expect(await adminEvents()).toBe(before);
    const right = await bareBridge.post(
      '/tokens',
      { body: JSON.stringify({ name: 'own-right', scope: 'read' }) },
      { 'X-CSRF-Token': bare.csrfToken },
    );
    expect(right.status).toBe(201);
  });

  it('a route or method outside its list: 404 code route, nothing forwarded', async () => {
    const before = await adminEvents();
    const refused = await Promise.all([
      bridge.get('/audit/relocate'),
      bridge.write('/audit/relocate', 'POST', { to: 'ram' }),
      bridge.get('/confirmations/events'),
      bridge.get('/tokens/../audit/relocate'),
      bridge.write('/tokens/../audit/relocate', 'POST', { to: 'ram' }),
      bridge.get('/tokens/bridge-form'),
      bridge.write('/status', 'PUT', {}),
      bridge.write('/tokens', 'GET'),
      bridge.write('/tokens/bridge-form', 'OPTIONS'),
      bridge.get('/status/'),
      bridge.get('//status'),
      bridge.get('/status?x=1'),
      bridge.get('https://example.com/'),
      bridge.call(''),
      bridge.call('route=/status', { method: 'PUT' }),
      bridge.call('route=/status', { method: 'DELETE' }),
      bridge.call('action=start'),
      bridge.call('action=stop', { method: 'POST', headers: { 'X-CSRF-Token': webgui.csrfToken } }),
    ]);
    for (const res of refused) {
      expect(res.status, res.text).toBe(404);
      expect(res.json).toMatchObject({ code: 'route', error: expect.any(String) });
    }
    expect(await adminEvents()).toBe(before);
    expect((await srv.admin('GET', '/api/status')).json.audit.persistent).toBe(true);
  });

  it('a body over 1 MB: 413 code too_large, nothing forwarded', async () => {
    const before = await adminEvents();
    const big = await bridge.write('/tokens', 'POST', {
      name: 'too-big',
      scope: 'read',
      pad: 'x'.repeat(1_100_000),
    });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ code: 'too_large' });
    expect(await tokenNames()).not.toContain('too-big');
    expect(await adminEvents()).toBe(before);
  });

  it('without the WebGUI login: the page and the bridge send the browser to /login', async () => {
    for (const url of [webgui.pageUrl, `${webgui.apiUrl}?route=/status`, webgui.dashboardUrl]) {
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/\/login$/);
    }
    const forged = await fetch(`${webgui.apiUrl}?route=/status`, {
      redirect: 'manual',
      headers: { Cookie: 'unraid_0123=forged' },
    });
    expect(forged.status).toBe(302);
  });
});

describe('a sidecar that is down or hangs', () => {
  it('down: 503 code not_running at once', async () => {
    webgui.useAdminSocket(join(scratch, 'absent.sock'));
    try {
      const res = await bridge.get('/status');
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ error: 'The unraid-mcp service is not running.', code: 'not_running' });
      expect(res.ms).toBeLessThan(5000);
    } finally {
      webgui.useAdminSocket(srv.env.adminSocket);
    }
  });

  it('hanging (accepts, never answers): 504 code timeout within 5 s', async () => {
    const path = join(scratch, 'hanging.sock');
    const held: Socket[] = [];
    const hanging: Server = createServer((s) => held.push(s));
    await new Promise<void>((r) => hanging.listen(path, r));
    webgui.useAdminSocket(path);
    try {
      const [read, write] = await Promise.all([
        bridge.get('/status'),
        bridge.write('/tokens', 'POST', { name: 'during-hang', scope: 'read' }),
      ]);
      for (const res of [read, write]) {
        expect(res.status).toBe(504);
        expect(res.json).toMatchObject({ code: 'timeout' });
        expect(res.ms).toBeGreaterThan(4500);
        expect(res.ms).toBeLessThan(6000);
      }
    } finally {
      webgui.useAdminSocket(srv.env.adminSocket);
      held.forEach((s) => s.destroy());
      hanging.close();
    }
  }, 20_000);
});

describe('the export streams', () => {
  it('passes the first lines on before the sidecar has finished writing', async () => {
    // A socket that answers like the sidecar's export but pauses midway: what the browser gets
    // before the pause proves nothing in between (PHP, php-fpm, nginx) holds the whole answer.
    const path = join(scratch, 'slow-export.sock');
    const slow: Server = createServer((s) => {
      s.once('data', () => {
        s.write(
          'HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n' +
            'Content-Disposition: attachment; filename="unraid-mcp-audit.jsonl"\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        const chunk = (text: string) => s.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
        chunk('{"seq":1}\n');
        setTimeout(() => {
          chunk('{"seq":2}\n');
          s.end('0\r\n\r\n');
        }, 1500);
      });
    });
    await new Promise<void>((r) => slow.listen(path, r));
    webgui.useAdminSocket(path);
    try {
      const started = Date.now();
      const res = await fetch(`${webgui.apiUrl}?route=/audit/export`, { headers: { Cookie: cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="unraid-mcp-audit.jsonl"');
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      const firstAt = Date.now() - started;
      let rest = '';
      for (let r = await reader.read(); !r.done; r = await reader.read())
        rest += new TextDecoder().decode(r.value);
      expect(first).toBe('{"seq":1}\n');
      expect(firstAt).toBeLessThan(1000);
      expect(rest).toBe('{"seq":2}\n');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    } finally {
      webgui.useAdminSocket(srv.env.adminSocket);
      slow.close();
    }
  });
});

describe('starting the service', () => {
  it('runs the rc script with "start" and says so; a failing start gives its message', async () => {
    const ok = await bridge.call('action=start', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf_token: webgui.csrfToken }).toString(),
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ started: true });
    expect(await readFile(join(scratch, 'rc-calls'), 'utf8')).toBe('start\n');

    await writeFile(join(scratch, 'fail'), '');
    const failed = await bridge.call('action=start', {
      method: 'POST',
      headers: { 'X-CSRF-Token': webgui.csrfToken },
    });
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({
      code: 'start_failed',
      error: 'The service did not start: port 8765 is in use',
    });
  });
});

describe('the dashboard tile', () => {
  it('shows the state and the pending approvals, linking to the Approvals view', async () => {
    const res = await fetch(webgui.dashboardUrl, { headers: { Cookie: await webgui.sessionCookie() } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toMatch(/<tbody title="Unraid MCP"/);
    expect(html).toMatch(/data-unraid-mcp="state">Running /);
    expect(html).toMatch(
      /<a href="\/Settings\/UnraidMCP#approvals" data-unraid-mcp="pending">0 calls waiting<\/a>/,
    );
  });

  it("is not added before Unraid 6.12 (its Cond on var.ini's version)", async () => {
    const old = await startWebgui({
      adminSocket: srv.env.adminSocket,
      varIni: join(TESTDATA, 'emhttp/unraid-6.11/var.ini'),
    });
    try {
      const html = await (
        await fetch(old.dashboardUrl, { headers: { Cookie: await old.sessionCookie() } })
      ).text();
      expect(html).toMatch(/Unraid page harness/);
      expect(html).not.toMatch(/unraid-mcp-tile/);
    } finally {
      await old.stop();
    }
  });

  it('says "Not running" when the socket is absent, without delaying the dashboard', async () => {
    webgui.useAdminSocket(join(scratch, 'absent.sock'));
    try {
      const started = Date.now();
      const html = await (
        await fetch(webgui.dashboardUrl, { headers: { Cookie: await webgui.sessionCookie() } })
      ).text();
      expect(html).toMatch(/data-unraid-mcp="state">Not running</);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      webgui.useAdminSocket(srv.env.adminSocket);
    }
  });

  it('says "Not answering" when the service hangs, after at most about a second', async () => {
    const path = join(scratch, 'hanging-tile.sock');
    const held: Socket[] = [];
    const hanging: Server = createServer((s) => held.push(s));
    await new Promise<void>((r) => hanging.listen(path, r));
    webgui.useAdminSocket(path);
    try {
      const started = Date.now();
      const html = await (await fetch(webgui.dashboardUrl, { headers: { Cookie: cookie } })).text();
      expect(html).toMatch(/data-unraid-mcp="state">Not answering</);
      expect(html).toMatch(/data-unraid-mcp="pending">unknown</);
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      webgui.useAdminSocket(srv.env.adminSocket);
      held.forEach((s) => s.destroy());
      hanging.close();
    }
  });
});
