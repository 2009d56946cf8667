import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect as pw } from '@playwright/test';
import type { Browser } from '@playwright/test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startWebgui, type Webgui } from '../../scripts/webgui/start-webgui.mjs';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testDocker } from '../helpers/docker.js';
import { waitForPending, onTarget } from '../helpers/confirm-flow.js';
import { buildApp, launchBrowser, openPage, shotPath, showView } from './browser.js';
import { callTool, connectClient, textOf, visibleContainers } from './mcp-client.js';
import { HOSTILE_VM, QUOTED_VM, writeTestNode } from './fixture-node.js';
import { hostname } from 'node:os';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { bundle, makeCertificate, type TestCertificate } from '../tls/certs.js';
import { httpsFetch } from '../tls/https-fetch.js';

// The page's flows in a real browser (Debian's chromium) against the page harness (nginx + php-fpm,
// the .page rendered as Unraid does, the PHP bridge) and a real sidecar with the private dockerd and
// libvirt's test driver behind it; real MCP clients on the other side.
const td = testDocker();
let srv: TestServer;
let webgui: Webgui;
let browser: Browser;
let app: Awaited<ReturnType<typeof buildApp>>;
let scratch: string;
let admin: Client;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'umcp-flows-'));
  const [built, libvirtUri] = await Promise.all([
    buildApp(),
    writeTestNode(scratch),
    td.createContainer('wg-approve', {}, true),
    td.createContainer('wg-deny', {}, true),
    td.createContainer('wg-hideme'),
  ]);
  app = built;
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}`, LIBVIRT_URI: libvirtUri },
    policy: { confirmModes: { docker_stop: 'approve', vm_pause: 'approve' } },
  });
  // The Start button's rc script "starts" the service by giving the bridge the sidecar's socket again.
  const rc = join(scratch, 'rc.unraid-mcp');
  webgui = await startWebgui({ adminSocket: srv.env.adminSocket, distDir: app.dir, rcScript: rc });
  await writeFile(
    rc,
    `#!/bin/sh\n[ "$1" = start ] && ln -sfn ${srv.env.adminSocket} ${join(webgui.dir, 'run/admin.sock')}\n`,
  );
  await chmod(rc, 0o755);
  browser = await launchBrowser();
  admin = await connectClient(srv.url, srv.secrets.test!, 'flows-admin');
});
afterAll(async () => {
  await admin?.close().catch(() => {});
  await browser?.close();
  await webgui?.stop();
  await srv?.close();
  await app?.remove();
  await td.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('tokens', () => {
  it('creates a token, a real client connects with it and shows under Status; revoked, the client is refused', async () => {
    const { page, context, dialogs } = await openPage(browser, webgui, { hash: 'tokens' });
    try {
      const form = page.getByRole('form', { name: 'New token' });
      // The sidecar's own messages, next to the field.
      await form.getByLabel('Name').fill('bad name');
      await form.getByRole('button', { name: 'Create' }).click();
      await pw(page.locator('#umcp-new-name-error')).toContainText('must be 1-64 letters');
      await pw(form.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');

      await form.getByLabel('Name').fill('wg-laptop');
      await form.getByLabel('Scope').selectOption('read');
      await form.getByLabel('Expires').fill('2020-01-01');
      await form.getByRole('button', { name: 'Create' }).click();
      await pw(page.locator('#umcp-new-expires-error')).toBeVisible();
      await page.screenshot({ path: shotPath('state-token-field-errors'), fullPage: true });
      expect(
        (await srv.admin('GET', '/api/tokens')).json.tokens.map((t: { name: string }) => t.name),
      ).not.toContain('wg-laptop');

      await form.getByLabel('Expires').fill('30d');
      await form.getByRole('button', { name: 'Create' }).click();
      const secret = (await page.locator('.umcp-secret-text').textContent())!.trim();
      expect(secret).toMatch(/^umcp_/);
      await page.screenshot({ path: shotPath('state-token-secret-once'), fullPage: true });

      const client = await connectClient(srv.url, secret, HOSTILE_VM);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await showView(page, 'status', 'Status');
      await pw(page.getByText(`${HOSTILE_VM} 1.0.0 with token wg-laptop`)).toBeVisible({ timeout: 7000 });
      expect(await page.locator('#unraid-mcp-app img').count()).toBe(0);

      await showView(page, 'tokens', 'Tokens');
      await page.getByRole('button', { name: 'Revoke wg-laptop' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke wg-laptop?' });
      await dialog.getByRole('button', { name: 'Revoke' }).click();
      await pw(page.getByText('Token wg-laptop revoked')).toBeVisible();
      // The sidecar rereads tokens.json at most every 250 ms: refused from then on.
      await expect
        .poll(
          async () =>
            client.listTools().then(
              () => 'accepted',
              (err: Error) => err.message,
            ),
          { timeout: 2000 },
        )
        .toMatch(/401|[Ii]nvalid token/);
      await client.close().catch(() => {});
      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('access', () => {
  it('a deny filter previews live against the real containers, saves, and a real client loses the container', async () => {
    expect(await visibleContainers(admin)).toContain('wg-hideme');
    const { page, context, dialogs } = await openPage(browser, webgui, { hash: 'access' });
    try {
      const containers = page.getByRole('table', { name: 'Containers' });
      const vms = page.getByRole('table', { name: 'VMs' });
      await pw(containers.getByRole('row', { name: /wg-hideme/ })).toContainText('visible');
      // VM names come through as text, never as markup.
      await pw(vms.getByRole('cell', { name: HOSTILE_VM, exact: true })).toBeVisible();
      await pw(vms.getByRole('cell', { name: QUOTED_VM, exact: true })).toBeVisible();
      expect(await page.locator('#unraid-mcp-app img').count()).toBe(0);

      const deny = page.getByLabel('Containers: deny');
      await deny.fill('wg-[hide');
      await pw(page.locator('#umcp-filters-containers-deny-error')).toContainText('unclosed "["');
      await pw(page.getByRole('button', { name: 'Apply' })).toBeDisabled();
      await page.screenshot({ path: shotPath('state-access-glob-error'), fullPage: true });

      await deny.fill('wg-hide*');
      await pw(containers.getByRole('row', { name: /wg-hideme/ })).toContainText('hidden');
      await pw(containers.getByRole('row', { name: /wg-approve/ })).toContainText('visible');
      expect(await visibleContainers(admin)).toContain('wg-hideme');

      await page.getByRole('button', { name: 'Apply' }).click();
      await pw(page.getByText('Saved: filters.containers.deny.')).toBeVisible();
      expect(await visibleContainers(admin)).not.toContain('wg-hideme');
      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
      await srv.admin('PUT', '/api/settings', { filters: { containers: { deny: [] } } });
    }
  });
});

describe('approvals', () => {
  it('a call waiting for approval shows within 2 s; approved, the client call completes; denied with a reason, the client gets it', async () => {
    const { page, context } = await openPage(browser, webgui, { hash: 'approvals' });
    try {
      await pw(page.getByText('Nothing is waiting for your approval.')).toBeVisible();

      const approved = callTool(admin, 'docker_stop', { id: 'wg-approve' });
      const card = page.getByRole('article', { name: 'docker_stop on container wg-approve' });
      const asked = Date.now();
      await pw(card).toBeVisible({ timeout: 2000 });
      expect(Date.now() - asked).toBeLessThan(2000);
      await pw(card).toContainText('token test, client flows-admin 1.0.0');
      await card.getByRole('button', { name: 'Approve' }).click();
      const done = await approved;
      expect(done.isError, textOf(done)).toBeFalsy();
      expect((await td.docker.getContainer('wg-approve').inspect()).State.Running).toBe(false);
      await pw(card).toBeHidden();

      const denied = callTool(admin, 'docker_stop', { id: 'wg-deny' });
      const second = page.getByRole('article', { name: 'docker_stop on container wg-deny' });
      await pw(second).toBeVisible({ timeout: 2000 });
      await second.getByRole('button', { name: 'Deny…' }).click();
      await second.getByLabel('Reason (the client is told)').fill('not during the backup window');
      await second.getByRole('button', { name: 'Deny', exact: true }).click();
      const refused = await denied;
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('not during the backup window');
      expect((await td.docker.getContainer('wg-deny').inspect()).State.Running).toBe(true);

      // Decided elsewhere (the CLI): the card leaves without a reload.
      const elsewhere = callTool(admin, 'docker_stop', { id: 'wg-deny' });
      const third = page.getByRole('article', { name: 'docker_stop on container wg-deny' });
      await pw(third).toBeVisible({ timeout: 2000 });
      const found = await waitForPending(srv, onTarget('wg-deny'));
      await srv.admin('POST', `/api/confirmations/${found.id}/deny`, { reason: 'decided in the CLI' });
      expect(textOf(await elsewhere)).toContain('decided in the CLI');
      await pw(third).toBeHidden({ timeout: 2000 });
    } finally {
      await context.close();
    }
  });
});

describe('names shown as typed', () => {
  it('an approval for a VM named like markup shows the name as text, and nothing runs', async () => {
    const { page, context, dialogs, errors } = await openPage(browser, webgui, { hash: 'approvals' });
    try {
      const asked = callTool(admin, 'vm_pause', { id: HOSTILE_VM });
      const card = page.getByRole('article', { name: `vm_pause on vm ${HOSTILE_VM}` });
      await pw(card).toBeVisible({ timeout: 2000 });
      await pw(
        card.getByRole('region', { name: 'Arguments' }).or(card.getByLabel('Arguments')),
      ).toContainText(JSON.stringify(HOSTILE_VM));
      expect(await page.locator('#unraid-mcp-app img').count()).toBe(0);
      await card.getByRole('button', { name: 'Deny…' }).click();
      await card.getByRole('button', { name: 'Deny', exact: true }).click();
      expect((await asked).isError).toBe(true);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('keyboard', () => {
  it('creates and revokes a token without a mouse', async () => {
    const { page, context } = await openPage(browser, webgui, { hash: 'status' });
    try {
      const focused = () => page.evaluate<string>('document.activeElement?.textContent?.trim() ?? ""');
      for (let i = 0; i < 20 && (await focused()) !== 'Tokens'; i++) await page.keyboard.press('Tab');
      expect(await focused()).toBe('Tokens');
      await page.keyboard.press('Enter');
      await pw(page.getByRole('heading', { name: 'Tokens', exact: true })).toBeVisible();
      const name = page.getByRole('form', { name: 'New token' }).getByLabel('Name');
      for (let i = 0; i < 40 && !(await name.evaluate((el) => el === el.ownerDocument.activeElement)); i++)
        await page.keyboard.press('Tab');
      await page.keyboard.type('kb-token');
      await page.keyboard.press('Enter');
      await pw(page.locator('.umcp-secret-text')).toBeVisible();
      const revoke = page.getByRole('button', { name: 'Revoke kb-token' });
      await revoke.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Revoke kb-token?' });
      await pw(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
      await page.keyboard.press('Escape');
      await pw(dialog).toBeHidden();
      await revoke.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await pw(dialog.getByRole('button', { name: 'Revoke' })).toBeFocused();
      await page.keyboard.press('Enter');
      await pw(page.getByText('Token kb-token revoked')).toBeVisible();
    } finally {
      await context.close();
    }
  });
});

describe('audit', () => {
  it('search finds the approved and the denied call; exports as NDJSON and CSV', async () => {
    const { page, context } = await openPage(browser, webgui, { hash: 'audit' });
    try {
      const search = page.getByRole('search');
      const table = page.getByRole('table', { name: 'Audit records, newest first' });
      // The denial's reason is in the record: a text search finds it, and only it.
      await search.getByLabel('Search').fill('not during the backup window');
      await search.getByRole('button', { name: 'Search' }).click();
      await pw(table.getByRole('row', { name: /confirmation\.denied/ }).first()).toBeVisible();
      await pw(table.getByRole('row', { name: /wg-approve/ })).toHaveCount(0);

      await search.getByLabel('Search').fill('');
      await search.getByLabel('Tool').fill('docker_stop');
      await search.getByRole('button', { name: 'Search' }).click();
      await pw(table.getByRole('row', { name: /wg-approve/ }).first()).toBeVisible();
      await pw(table.getByRole('row', { name: /wg-deny/ }).first()).toBeVisible();

      // The exports carry the same filter (tool docker_stop).
      for (const [label, check] of [
        [
          'Export NDJSON',
          (text: string) =>
            text
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as { tool?: string }),
        ],
        ['Export CSV', (text: string) => text.trim().split('\n')],
      ] as const) {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('link', { name: label }).click(),
        ]);
        const text = await readFile(await download.path(), 'utf8');
        const rows = check(text);
        expect(rows.length).toBeGreaterThan(1);
        expect(text).toContain('wg-approve');
        expect(text).toContain('wg-deny');
      }
    } finally {
      await context.close();
    }
  });
});

describe('settings', () => {
  it('a stale save (changed elsewhere meanwhile) says so and offers to reload instead of overwriting', async () => {
    const { page, context } = await openPage(browser, webgui, { hash: 'settings' });
    try {
      const field = page.getByLabel('Sessions at most');
      await pw(field).toBeVisible();
      await field.fill('7');
      const now = await srv.admin('GET', '/api/settings');
      const other = await srv.admin(
        'PUT',
        '/api/settings',
        { maxSessions: 9 },
        { 'If-Match': `"${now.json.revision}"` },
      );
      expect(other.status).toBe(200);
      await page.getByRole('button', { name: 'Apply' }).click();
      await pw(page.getByRole('button', { name: 'Reload' })).toBeVisible();
      await page.screenshot({ path: shotPath('state-settings-stale'), fullPage: true });
      expect((await srv.admin('GET', '/api/settings')).json.settings.maxSessions).toBe(9);
      await page.getByRole('button', { name: 'Reload' }).click();
      await pw(field).toHaveValue('9');

      await field.fill('0');
      await page.getByRole('button', { name: 'Apply' }).click();
      await pw(page.locator('#umcp-set-maxSessions-error')).toBeVisible();
      expect((await srv.admin('GET', '/api/settings')).json.settings.maxSessions).toBe(9);
    } finally {
      await context.close();
    }
  });
});

describe('service down', () => {
  it('says the service is not running and starts it through the rc script', async () => {
    webgui.useAdminSocket(join(scratch, 'absent.sock'));
    const { page, context } = await openPage(browser, webgui, { hash: 'status' });
    try {
      await pw(page.getByRole('heading', { name: 'The unraid-mcp service is not running' })).toBeVisible();
      await page.screenshot({ path: shotPath('state-not-running') });
      await page.getByRole('button', { name: 'Start' }).click();
      await pw(page.getByRole('heading', { name: 'Status' })).toBeVisible({ timeout: 10_000 });
    } finally {
      await context.close();
      webgui.useAdminSocket(srv.env.adminSocket);
    }
  });
});

describe('service hanging', () => {
  it('says the service did not answer within 5 seconds', async () => {
    const path = join(scratch, 'hanging.sock');
    const held: Socket[] = [];
    const hanging: Server = createServer((sock) => held.push(sock));
    await new Promise<void>((r) => hanging.listen(path, r));
    webgui.useAdminSocket(path);
    const { page, context } = await openPage(browser, webgui, { hash: 'status' });
    try {
      await pw(page.getByText('The unraid-mcp service did not answer within 5 seconds.')).toBeVisible({
        timeout: 8000,
      });
    } finally {
      await context.close();
      webgui.useAdminSocket(srv.env.adminSocket);
      held.forEach((sock) => sock.destroy());
      hanging.close();
    }
  }, 20_000);
});

describe('HTTPS', () => {
  // A sidecar of its own with the WebGUI's two certificates, as Unraid keeps them; the page is
  // pointed at it for these flows and back at the shared one afterwards.
  const HASH = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';
  const myunraidName = `127-0-0-1.${HASH}.myunraid.net`;
  const localName = `${hostname().split('.')[0]!.toLowerCase()}.local`;
  let tlsSrv: TestServer;
  let certsDir: string;
  let root: TestCertificate;
  let selfSigned: TestCertificate;
  beforeAll(async () => {
    certsDir = join(scratch, 'certs');
    await mkdir(certsDir, { recursive: true });
    root = makeCertificate({ commonName: 'Flows Public Root', isCa: true });
    const wildcard = makeCertificate({
      commonName: `*.${HASH}.myunraid.net`,
      dns: [`*.${HASH}.myunraid.net`],
      ca: root,
    });
    selfSigned = makeCertificate({ commonName: localName, dns: [localName] });
    await writeFile(join(certsDir, 'certificate_bundle.pem'), bundle(wildcard, root));
    await writeFile(join(certsDir, `${hostname()}_unraid_bundle.pem`), bundle(selfSigned));
    tlsSrv = await startTestServer({ env: { UNRAID_MCP_CERTS_DIR: certsDir, UNRAID_MCP_HTTPS_PORT: '0' } });
    await tlsSrv.service.https.start();
    webgui.useAdminSocket(tlsSrv.env.adminSocket);
  });
  afterAll(async () => {
    webgui.useAdminSocket(srv.env.adminSocket);
    await tlsSrv?.close();
  });

  it('Status lists the HTTPS addresses first, the self-signed one marked, then plain HTTP', async () => {
    const port = tlsSrv.service.https.state().port;
    const { page, context, errors } = await openPage(browser, webgui, { hash: 'status' });
    try {
      await pw(page.locator('.umcp-plain li')).toHaveText([
        `https://${myunraidName}:${port}/mcp`,
        `https://${localName}:${port}/mcp (self-signed certificate)`,
        tlsSrv.url,
      ]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('Connect offers the myunraid.net address first; a real client connects over HTTPS with what the page shows', async () => {
    const port = tlsSrv.service.https.state().port;
    const { page, context, errors } = await openPage(browser, webgui, { hash: 'connect' });
    try {
      const address = page.getByLabel('Server address');
      await pw(address).toHaveValue(`https://${myunraidName}:${port}/mcp`);
      await pw(
        page.getByText(/Claude Desktop's custom connectors \(Settings → Connectors\) take https:\/\/ only/),
      ).toBeVisible();
      await pw(address.locator('option')).toHaveText([
        `https://${myunraidName}:${port}/mcp`,
        `https://${localName}:${port}/mcp (self-signed certificate)`,
        tlsSrv.url,
      ]);
      await page.getByRole('button', { name: 'Create a token' }).click();
      const form = page.getByRole('form', { name: 'New token' });
      await form.getByLabel('Name').fill('https-laptop');
      await form.getByLabel('Scope').selectOption('read');
      await form.getByRole('button', { name: 'Create' }).click();
      await pw(page.getByText(/Token https-laptop created/)).toBeVisible();
      const config = page.locator('pre[aria-labelledby="umcp-cfg-cursor"]');
      await pw(config).toContainText(`https://${myunraidName}:${port}/mcp`);
      const { mcpServers } = JSON.parse((await config.textContent())!) as {
        mcpServers: { unraid: { url: string; headers: { Authorization: string } } };
      };
      // What a client pasted from the page does: connect by that name, trusting only the public root.
      const client = new McpClient({ name: 'https-laptop', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(mcpServers.unraid.url), {
          fetch: httpsFetch({ ca: root.cert }),
          requestInit: { headers: mcpServers.unraid.headers },
        }),
      );
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();

      // The self-signed address: how a client comes to trust it, without ever copying the key.
      await address.selectOption(`https://${localName}:${port}/mcp`);
      const note = page.getByText(/This address uses the server's self-signed certificate/);
      await pw(note).toBeVisible();
      await pw(note).toContainText(
        `openssl x509 -in ${join(certsDir, `${hostname()}_unraid_bundle.pem`)} -out`,
      );
      await pw(note).toContainText('NODE_EXTRA_CA_CERTS=');
      await page.screenshot({ path: shotPath('state-connect-self-signed'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('Settings: both off is refused next to the HTTPS switch; an HTTPS port in use next to its field; HTTPS off saves for the next restart', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen({ port: 0, host: '0.0.0.0' }, r));
    const held = (holder.address() as { port: number }).port;
    const { page, context } = await openPage(browser, webgui, { hash: 'settings' });
    try {
      const httpsSwitch = page.getByLabel('HTTPS', { exact: true });
      await pw(httpsSwitch).toBeChecked();
      await pw(page.locator('#umcp-set-https-hint')).toContainText(
        `On now, port ${tlsSrv.service.https.state().port}, with certificate_bundle.pem and ${hostname()}_unraid_bundle.pem.`,
      );
      await page.getByLabel('Plain HTTP').uncheck();
      await httpsSwitch.uncheck();
      await page.getByRole('button', { name: 'Apply' }).click();
      await pw(page.locator('#umcp-set-https-error')).toHaveText(
        'http and https cannot both be off: no client could reach MCP (turn one of them on)',
      );
      await pw(httpsSwitch).toHaveAttribute('aria-invalid', 'true');
      expect((await tlsSrv.admin('GET', '/api/settings')).json.settings).toMatchObject({
        http: true,
        https: true,
      });

      await page.getByLabel('Plain HTTP').check();
      await httpsSwitch.check();
      await page.getByLabel('HTTPS port').fill(String(held));
      await page.getByRole('button', { name: 'Apply' }).click();
      await pw(page.locator('#umcp-set-httpsPort-error')).toHaveText(
        `port ${held} is in use by another program on this server`,
      );

      await page.getByLabel('HTTPS port').fill('9443');
      await httpsSwitch.uncheck();
      await page.getByRole('button', { name: 'Apply' }).click();
      await pw(page.getByText('Saved: https, httpsPort.')).toBeVisible();
      expect((await tlsSrv.admin('GET', '/api/settings')).json.settings).toMatchObject({
        https: false,
        httpsPort: 9443,
      });
      // Still serving until the restart.
      expect(tlsSrv.service.https.state().serving).toBe(true);
    } finally {
      await context.close();
      holder.close();
    }
  });
});

describe('audit chain', () => {
  // Last: it breaks this sidecar's audit chain for good.
  it('an audit record edited on disk: Verify says where the chain breaks', async () => {
    const file = join(srv.env.auditDir, 'audit.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const victim = JSON.parse(lines[2]!) as { seq: number; principal: string };
    lines[2] = JSON.stringify({ ...victim, principal: 'mallory' });
    await writeFile(file, lines.join('\n'));
    const { page, context } = await openPage(browser, webgui, { hash: 'audit' });
    try {
      await page.getByRole('button', { name: 'Verify' }).click();
      await pw(page.locator('.umcp-verify')).toContainText(`Changed at record ${victim.seq}`);
      await page.screenshot({ path: shotPath('state-audit-chain-broken'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
