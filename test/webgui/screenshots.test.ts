import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect as pw } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startWebgui, type Webgui } from '../../scripts/webgui/start-webgui.mjs';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testDocker } from '../helpers/docker.js';
import { waitForPending, onTarget } from '../helpers/confirm-flow.js';
import { buildApp, launchBrowser, openPage, shotPath, showView, THEMES, type Theme } from './browser.js';
import { callTool, connectClient } from './mcp-client.js';
import { HOSTILE_VM, writeTestNode } from './fixture-node.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { bundle, makeCertificate } from '../tls/certs.js';

// Every view in the four themes and at 390 px, written as screenshots to look at, and checked with
// axe (no serious or critical violation) — with the views full: tokens, a connected client, a call
// waiting for approval, audit records, containers and VMs in the filter preview.
const VIEWS = [
  {
    id: 'status',
    title: 'Status',
    ready: (p: Page) => p.getByRole('heading', { name: 'Status', exact: true }),
  },
  {
    id: 'connect',
    title: 'Connect',
    ready: (p: Page) => p.getByRole('heading', { name: /Connect/ }).first(),
  },
  {
    id: 'tokens',
    title: 'Tokens',
    ready: (p: Page) => p.getByRole('button', { name: 'Revoke laptop-claude' }),
  },
  { id: 'access', title: 'Access', ready: (p: Page) => p.getByText(HOSTILE_VM, { exact: true }).first() },
  { id: 'approvals', title: 'Approvals', ready: (p: Page) => p.getByRole('article').first() },
  { id: 'audit', title: 'Audit', ready: (p: Page) => p.getByRole('button', { name: /Show record/ }).first() },
  { id: 'settings', title: 'Settings', ready: (p: Page) => p.getByLabel('Sessions at most') },
] as const;

const td = testDocker();
let srv: TestServer;
let webgui: Webgui;
let browser: Browser;
let app: Awaited<ReturnType<typeof buildApp>>;
let scratch: string;
let client: Client;
let waiting: Promise<unknown>;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'umcp-shots-'));
  const [built, libvirtUri] = await Promise.all([
    buildApp(),
    writeTestNode(scratch),
    td.createContainer('shot-web', {}, true),
    td.createContainer('shot-database', { 'unraid-mcp.protected': 'true' }, true),
    td.createContainer('shot-backup'),
  ]);
  app = built;
  // The WebGUI's two certificates, as Unraid keeps them: HTTPS serves, the Connect view offers it.
  const certsDir = join(scratch, 'certs');
  await mkdir(certsDir);
  const hash = '8d3f0c6e2b1a49d7e5c4b3a2f1e0d9c8b7a6f5e4';
  const root = makeCertificate({ commonName: 'Shots Public Root', isCa: true });
  const wildcard = `*.${hash}.myunraid.net`;
  await writeFile(
    join(certsDir, 'certificate_bundle.pem'),
    bundle(makeCertificate({ commonName: wildcard, dns: [wildcard], ca: root }), root),
  );
  const local = `${hostname().split('.')[0]!.toLowerCase()}.local`;
  await writeFile(
    join(certsDir, `${hostname()}_unraid_bundle.pem`),
    bundle(makeCertificate({ commonName: local, dns: [local] })),
  );
  srv = await startTestServer({
    env: {
      DOCKER_HOST: `unix://${inject('dockerSocket')}`,
      LIBVIRT_URI: libvirtUri,
      UNRAID_MCP_CERTS_DIR: certsDir,
      UNRAID_MCP_HTTPS_PORT: '0',
    },
    policy: {
      confirmModes: { docker_restart: 'approve' },
      filters: { containers: { deny: ['shot-backup'] } },
    },
    tokens: [
      { name: 'test', scope: 'admin' },
      { name: 'laptop-claude', scope: 'operate' },
      { name: 'ha-readonly', scope: 'read', expires: new Date(Date.now() + 30 * 86_400_000) },
    ],
  });
  await srv.service.https.start();
  [webgui, browser] = await Promise.all([
    startWebgui({ adminSocket: srv.env.adminSocket, distDir: app.dir }),
    launchBrowser(),
  ]);
  client = await connectClient(srv.url, srv.secrets['laptop-claude']!, 'Claude Code');
  await callTool(client, 'docker_list', {});
  await callTool(client, 'vm_list', {});
  // A call that waits for the owner while the screenshots are taken (denied at the end).
  waiting = callTool(client, 'docker_restart', { id: 'shot-web' }).catch(() => {});
  await waitForPending(srv, onTarget('shot-web'));
});
afterAll(async () => {
  const pending = await srv?.admin('GET', '/api/confirmations');
  for (const c of (pending?.json.confirmations ?? []) as Array<{ id: string; status: string }>)
    if (c.status === 'pending') await srv.admin('POST', `/api/confirmations/${c.id}/deny`, {});
  await waiting;
  await client?.close().catch(() => {});
  await browser?.close();
  await webgui?.stop();
  await srv?.close();
  await app?.remove();
  await td.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).include('#unraid-mcp-app').analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function everyView(theme: Theme, width: number, suffix: string, axe: boolean, legacy = false) {
  const { page, context, dialogs, errors } = await openPage(browser, webgui, {
    theme,
    width,
    hash: 'status',
    legacy,
  });
  const problems: string[] = [];
  try {
    for (const v of VIEWS) {
      await showView(page, v.id, v.title);
      await pw(v.ready(page)).toBeVisible({ timeout: 5000 });
      await pw(page.getByText('Loading…')).toHaveCount(0);
      await page.screenshot({ path: shotPath(`${v.id}-${theme}${suffix}`), fullPage: true });
      if (axe) problems.push(...(await seriousViolations(page)).map((p) => `#${v.id}: ${p}`));
      // A string: the test's TypeScript has no DOM types.
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      if (overflow > 0)
        problems.push(`#${v.id}: the page scrolls sideways by ${overflow} px at ${width} px wide`);
    }
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
  return problems;
}

describe('every view', () => {
  for (const theme of THEMES) {
    it(`in the ${theme} theme: screenshots, no serious or critical axe violations`, async () => {
      expect(await everyView(theme, 1280, '', true)).toEqual([]);
    }, 60_000);
  }

  for (const theme of ['white', 'black'] as const) {
    it(`at 390 px wide (${theme}): screenshots, nothing wider than the screen, axe clean`, async () => {
      expect(await everyView(theme, 390, '-390', theme === 'white')).toEqual([]);
    }, 60_000);
  }

  for (const theme of ['white', 'gray'] as const) {
    it(`as on Unraid 6.12/7.0, without theme variables (${theme}): the page's fallbacks, axe clean`, async () => {
      expect(await everyView(theme, 1280, '-6.12', true, true)).toEqual([]);
    }, 60_000);
  }

  it('the dashboard tile, and its link opens the Approvals view', async () => {
    const { page, context } = await openPage(browser, webgui, { theme: 'black' });
    try {
      await page.goto(webgui.dashboardUrl);
      const tile = page.locator('#unraid-mcp-tile');
      await pw(tile).toContainText('Running');
      await pw(tile.getByRole('link', { name: '1 call waiting' })).toBeVisible();
      await page.screenshot({ path: shotPath('dashboard-black') });
      await tile.getByRole('link', { name: '1 call waiting' }).click();
      await pw(page.getByRole('heading', { name: 'Approvals' })).toBeVisible();
      await pw(page.getByRole('article', { name: /docker_restart on container shot-web/ })).toBeVisible();
    } finally {
      await context.close();
    }
  });
});
