#!/usr/bin/env node
// bench/webui: the WebGUI page as an owner meets it — the bundle's size, the time from navigation to
// the Approvals view with a waiting approval ready to click, and the Audit view's first page over a
// 1,000,000-record log — in a real browser (Debian's chromium through Playwright), through the
// harness that serves the page as Unraid does (nginx + php-fpm, the PHP bridge, the login), in front
// of the built sidecar (dist/, production flags) whose audit log is that history.
//
// Method
// - The history is written once by the real AuditLog (bench/lib/audit-history.mjs; --log-dir keeps it
//   for the next run). The sidecar runs with it as its audit log, libvirt's test driver, no Docker.
// - One approve-mode call (vm_force_stop of the test driver's running VM, made by a real MCP client
//   with an admin token) waits for the owner during the whole run, so Approvals has a card to show.
// - Each run opens a fresh page (new browser context: nothing cached but the browser itself) at
//   /Settings/UnraidMCP#VIEW and times navigation start → the moment the view's ready element is in
//   the page (a MutationObserver installed before the page's scripts notes it, so the driver's
//   polling adds nothing):
//     status     the Status heading's first filled row (the baseline: the lightest view)
//     approvals  the waiting approval's Approve button, enabled
//     audit      the first record's row in the Audit table
//   and, from the page's resource timing, the bridge request that fetched the view's data (through
//   nginx, php-fpm, the PHP bridge and the admin socket).
// - Bundle: dist/webui's JS and CSS, raw and gzipped (target ≤ 40 KB gzipped together).
// Targets: Audit first page < 300 ms in the browser, its admin API part < 50 ms (npm run
// bench:webui-api measures that part alone, in more detail). Medians of --runs runs; prints a table,
// writes bench/results/webui.json.
//
// Usage: npm run build && npm run bench:webui [-- --runs 9 --records 1000000 --log-dir DIR]
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startWebgui } from '../scripts/webgui/start-webgui.mjs';
import { CHROMIUM_LAUNCH } from '../scripts/webgui/chromium.mjs';
import { prepareAuditHistory } from './lib/audit-history.mjs';
import { cleanupAll, installCleanupHandlers, runBench } from './lib/children.mjs';
import { machineInfo } from './lib/proc.mjs';
import { createBenchToken, REPO, sidecarEnv, startBuiltSidecar } from './lib/sidecar.mjs';
import { formatTable, median, round } from './lib/stats.mjs';

const RESULTS = join(REPO, 'bench/results/webui.json');
const TARGETS = { bundleGzKb: 40, auditBrowserMs: 300, auditApiMs: 50 };
/**
 * When each view counts as ready, checked inside the page on every DOM change (a MutationObserver
 * installed before the page's own scripts run), so the time is the page's, not the test driver's
 * polling: the element, found and usable.
 */
const READY = {
  status: () => document.querySelector('section[aria-labelledby="umcp-status-h"] dd'),
  approvals: () =>
    [...document.querySelectorAll('article.umcp-card button')].find(
      (b) => b.textContent.trim() === 'Approve' && !b.disabled,
    ),
  audit: () => document.querySelector('button[aria-label^="Show record "]'),
};
/** The bridge route each view loads its data from, to pick its request out of resource timing. */
const DATA_ROUTE = { status: '/status', approvals: '/confirmations', audit: '/audit' };

function parseOptions() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '9' },
      records: { type: 'string', default: '1000000' },
      'log-dir': { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const records = Number(values.records);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a whole number ≥ 1 (got "${values.runs}")`);
  if (!Number.isInteger(records) || records < 100)
    throw new Error(`--records must be a whole number ≥ 100 (got "${values.records}")`);
  return { runs, records, logDir: values['log-dir'] ?? null };
}

function bundleSizes() {
  const dir = join(REPO, 'dist/webui');
  const files = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f));
  if (!files.length) throw new Error(`${dir} holds no bundle: run "npm run build" first`);
  const rows = files.map((f) => {
    const bytes = readFileSync(join(dir, f));
    return {
      file: f,
      kb: round(bytes.length / 1024, 1),
      gzKb: round(gzipSync(bytes, { level: 9 }).length / 1024, 1),
    };
  });
  return {
    files: rows,
    gzKb: round(
      rows.reduce((a, r) => a + r.gzKb, 0),
      1,
    ),
  };
}

/** Starts the one call that waits for the owner; resolves when the sidecar lists it as pending. */
async function waitingApproval(url, secret, adminGet) {
  const client = new Client(
    { name: 'bench-webui', version: '1.0.0' },
    { versionNegotiation: { mode: 'legacy' } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${secret}` } },
    }),
  );
  const call = client
    .callTool({ name: 'vm_force_stop', arguments: { id: 'test' } }, undefined, { timeout: 600_000 })
    .catch(() => {});
  for (let i = 0; i < 100; i++) {
    const { confirmations } = await adminGet('/confirmations');
    if (confirmations.some((c) => c.status === 'pending')) return { client, call };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the approve-mode call never showed up as pending');
}

/** Runs in the page before its scripts: notes the moment `ready()` first finds its element. */
function watchReady(readySource) {
  const ready = new Function(`return (${readySource})()`);
  const check = () => {
    if (window.__readyAt === undefined && ready()) window.__readyAt = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
}

async function timeView(browser, webgui, cookie, view) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(watchReady, READY[view].toString());
  const url = new URL(webgui.url);
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, domain: url.hostname, path: '/' }]);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${webgui.pageUrl}#${view}`, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__readyAt !== undefined, undefined, { timeout: 30_000 });
    const timing = await page.evaluate((route) => {
      const nav = performance.getEntriesByType('navigation')[0];
      const data = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('api.php') && new URL(e.name).searchParams.get('route') === route)
        .at(-1);
      // Every bridge request of the visit (route, start after navigation, duration): where the time went.
      const requests = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('api.php'))
        .map((e) => ({
          route: new URL(e.name).searchParams.get('route') ?? new URL(e.name).search,
          startMs: Math.round(e.startTime - nav.startTime),
          ms: Math.round(e.duration),
        }));
      const script = performance.getEntriesByType('resource').find((e) => e.name.includes('unraid-mcp.js'));
      return {
        ready: window.__readyAt - nav.startTime,
        api: data ? data.duration : null,
        domContentLoaded: nav.domContentLoadedEventEnd - nav.startTime,
        scriptEnd: script ? script.responseEnd - nav.startTime : null,
        requests,
      };
    }, DATA_ROUTE[view]);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return timing;
  } finally {
    await context.close();
  }
}

async function main() {
  installCleanupHandlers();
  const opts = parseOptions();
  const work = mkdtempSync(join(tmpdir(), 'umcp-bench-webui-'));
  const logDir = opts.logDir ?? join(work, 'audit');
  let browser = null;
  let webgui = null;
  let waiting = null;
  try {
    const bundle = bundleSizes();
    const generatedS = await prepareAuditHistory(join(REPO, 'dist'), logDir, opts.records);

    const env = {
      ...sidecarEnv(work),
      UNRAID_MCP_AUDIT_DIR: logDir,
      UNRAID_MCP_AUDIT_PERSISTENT_DIR: logDir,
    };
    const secret = await createBenchToken(env, 'bench-admin', 'admin');
    const srv = await startBuiltSidecar(env, work);
    webgui = await startWebgui({
      adminSocket: env.UNRAID_MCP_ADMIN_SOCKET,
      distDir: join(REPO, 'dist/webui'),
    });
    const cookie = await webgui.sessionCookie();
    const adminGet = async (route) => {
      const res = await fetch(`${webgui.apiUrl}?route=${encodeURIComponent(route)}`, {
        headers: { Cookie: cookie },
      });
      if (!res.ok) throw new Error(`bridge ${route}: HTTP ${res.status}`);
      return res.json();
    };
    waiting = await waitingApproval(srv.match[1], secret, adminGet);

    browser = await chromium.launch(CHROMIUM_LAUNCH);
    // One untimed visit: the browser's own start-up is not the page's.
    await timeView(browser, webgui, cookie, 'status');
    const samples = { status: [], approvals: [], audit: [] };
    for (let i = 0; i < opts.runs; i++)
      for (const view of Object.keys(samples))
        samples[view].push(await timeView(browser, webgui, cookie, view));

    const summary = Object.fromEntries(
      Object.entries(samples).map(([view, runs]) => [
        view,
        {
          readyMs: round(median(runs.map((r) => r.ready)), 1),
          apiMs: runs.every((r) => r.api !== null) ? round(median(runs.map((r) => r.api)), 1) : null,
          runsMs: runs.map((r) => round(r.ready, 1)),
          domContentLoadedMs: round(median(runs.map((r) => r.domContentLoaded)), 1),
          requestsOfLastRun: runs.at(-1).requests,
        },
      ]),
    );
    const result = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      opts,
      generatedLogSeconds: generatedS,
      bundle,
      views: summary,
      targets: {
        bundle: bundle.gzKb <= TARGETS.bundleGzKb ? 'PASS' : 'MISS',
        auditBrowser: summary.audit.readyMs < TARGETS.auditBrowserMs ? 'PASS' : 'MISS',
        auditApi: summary.audit.apiMs !== null && summary.audit.apiMs < TARGETS.auditApiMs ? 'PASS' : 'MISS',
      },
    };
    writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');

    console.log(
      `\nWebGUI page over a ${opts.records.toLocaleString('en')}-record audit log, ${opts.runs} runs per view (medians)\n`,
    );
    console.log(
      formatTable(
        ['measure', 'value', 'target', 'result'],
        [
          ...bundle.files.map((f) => [
            `bundle ${f.file} (raw / gzipped)`,
            `${f.kb} / ${f.gzKb} KB`,
            '-',
            'info',
          ]),
          [
            'bundle JS + CSS gzipped',
            `${bundle.gzKb} KB`,
            `≤ ${TARGETS.bundleGzKb} KB`,
            result.targets.bundle,
          ],
          [
            'Status view ready (baseline: the lightest view)',
            `${summary.status.readyMs} ms`,
            '-',
            'baseline',
          ],
          [
            'Approvals view ready (Approve button of the waiting call)',
            `${summary.approvals.readyMs} ms (${round(summary.approvals.readyMs / summary.status.readyMs, 2)}× status)`,
            '-',
            'info',
          ],
          [
            'Audit view first page ready',
            `${summary.audit.readyMs} ms (${round(summary.audit.readyMs / summary.status.readyMs, 2)}× status)`,
            `< ${TARGETS.auditBrowserMs} ms`,
            result.targets.auditBrowser,
          ],
          [
            "Audit first page's request (nginx + php-fpm + bridge + admin API)",
            `${summary.audit.apiMs} ms`,
            `< ${TARGETS.auditApiMs} ms`,
            result.targets.auditApi,
          ],
          ["Status's request (same path, a small answer)", `${summary.status.apiMs} ms`, '-', 'baseline'],
        ],
      ),
    );
    console.log(`\nwrote ${RESULTS}`);
  } finally {
    await browser?.close().catch(() => {});
    await waiting?.client.close().catch(() => {});
    await webgui?.stop().catch(() => {});
    cleanupAll();
    rmSync(work, { recursive: true, force: true });
  }
}

runBench('webui', main);
