#!/usr/bin/env node
// The audit viewer's admin API over a large log: first page (no filter, selective filters, a time
// range), a page deep in via cursor, record detail, CSV export start, full and incremental verify —
// each through the real admin app over HTTP, on a log written by the real AuditLog (10 MiB rotation).
// The same run measures a small log (--baseline-records) as its baseline. Runs the compiled modules
// in dist/ (npm run build first), or another build's with --dist. Prints a table, writes
// bench/results/webui-api.json.
//
//   npm run bench:webui-api
//   npm run bench:webui-api -- --records 200000 --runs 9
//   npm run bench:webui-api -- --log-dir /var/tmp/umcp-1m   # keeps the generated log and reuses it next time
//   npm run bench:webui-api -- --dist /elsewhere/dist --log-dir /var/tmp/umcp-1m --out /tmp/old.json
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable, median, round } from './lib/stats.mjs';
import { prepareAuditHistory, STEP_MS } from './lib/audit-history.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_API_MS = 50;

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'baseline-records': { type: 'string', default: '10000' },
    runs: { type: 'string', default: '15' },
    'verify-runs': { type: 'string', default: '3' },
    dist: { type: 'string', default: join(ROOT, 'dist') },
    'log-dir': { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results/webui-api.json') },
  },
});
const RECORDS = Number(values.records);
const BASE_RECORDS = Number(values['baseline-records']);
const RUNS = Number(values.runs);
const VERIFY_RUNS = Number(values['verify-runs']);
const DIST = resolve(values.dist);

if (!existsSync(join(DIST, 'server/safety/audit/audit-log.js'))) {
  console.error(`${DIST}/server/safety/audit/audit-log.js is missing: run "npm run build" first.`);
  process.exit(1);
}
const { AuditLog } = await import(join(DIST, 'server/safety/audit/audit-log.js'));
const { auditRoutes } = await import(join(DIST, 'server/admin/routes/audit-routes.js'));
const { createAdminApp } = await import(join(DIST, 'server/admin/create-admin-app.js'));
const { findRecordBySeq } = await import(join(DIST, 'server/safety/audit/audit-lookup.js'));

const quiet = { debug() {}, info() {}, warn() {}, error: (m, f) => console.error(m, f) };

function logFiles(dir) {
  const names = readdirSync(dir).filter((n) => /^audit\.(\d{16}(\.\d+)?\.)?jsonl$/.test(n));
  return { files: names.length, bytes: names.reduce((a, n) => a + statSync(join(dir, n)).size, 0) };
}

// ---- the admin app over HTTP ----
async function serve(dir) {
  const audit = new AuditLog({ dir, persistent: true, log: quiet, keepFiles: 1_000_000 });
  await audit.open();
  const deps = { recordEvent: async () => {} };
  const app = createAdminApp({ audit: auditRoutes(deps, audit, { ram: dir, persistent: dir }) }, quiet);
  const server = await new Promise((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    audit,
    origin,
    async close() {
      await new Promise((ok) => server.close(ok));
      server.closeAllConnections?.();
      await audit.close();
    },
  };
}

/** One GET, timed to the last byte of the body; the event loop's longest stall while it ran. */
async function timedGet(origin, path) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = performance.now();
  const res = await fetch(origin + path);
  const body = await res.text();
  const ms = performance.now() - t0;
  delay.disable();
  let json = null;
  try {
    json = JSON.parse(body);
  } catch {
    /* CSV or NDJSON */
  }
  return { ms, status: res.status, json, body, stallMs: delay.max / 1e6 };
}

/** The first `bytes` of a streamed response (export): time to first byte and to that many bytes. */
async function timedStreamStart(origin, path, bytes) {
  const t0 = performance.now();
  const res = await fetch(origin + path);
  if (res.status !== 200) return { ms: NaN, status: res.status };
  const reader = res.body.getReader();
  let got = 0;
  while (got < bytes) {
    const { done, value } = await reader.read();
    if (done) break;
    got += value.length;
  }
  const ms = performance.now() - t0;
  await reader.cancel();
  return { ms, status: 200, bytes: got };
}

async function repeat(n, fn) {
  const cold = await fn(); // not in the median: first touch of the files, JIT
  const runs = [];
  let last;
  for (let i = 0; i < n; i++) {
    last = await fn();
    runs.push(last);
  }
  return {
    cold: round(cold.ms, 2),
    median: round(median(runs.map((r) => r.ms)), 2),
    runs: runs.map((r) => round(r.ms, 2)),
    maxStallMs: round(Math.max(...runs.map((r) => r.stallMs ?? 0)), 1),
    last,
  };
}

function cursorAt(dir, fraction) {
  // Cursor format of audit-query.ts: the file by its first seq and a byte offset in it.
  const rotated = readdirSync(dir)
    .map((n) => /^audit\.(\d{16})\.jsonl$/.exec(n))
    .filter(Boolean)
    .map((m) => ({ seq: Number(m[1]), size: statSync(join(dir, m[0])).size }))
    .sort((a, b) => a.seq - b.seq);
  const f = rotated[Math.floor(rotated.length * fraction)] ?? rotated[0];
  if (!f) return null;
  return Buffer.from(JSON.stringify({ s: f.seq, o: f.size })).toString('base64url');
}

async function measureLog(dir, total) {
  const { files, bytes } = logFiles(dir);
  const srv = await serve(dir);
  const out = { records: total, files, bytes, cases: {} };
  const span = total * STEP_MS;
  const end = Date.now();
  const lastSeq = srv.audit.status().seq;
  // A one-hour window ~70% back in time: only reached by seeking, not by paging from the newest.
  const from = new Date(end - span * 0.7).toISOString();
  const to = new Date(end - span * 0.7 + 3_600_000).toISOString();
  const deep = cursorAt(dir, 0.5);
  const page = async (name, path) => {
    const r = await repeat(RUNS, () => timedGet(srv.origin, path));
    out.cases[name] = {
      path,
      cold: r.cold,
      median: r.median,
      runs: r.runs,
      maxStallMs: r.maxStallMs,
      status: r.last.status,
      records: r.last.json?.records?.length ?? null,
      complete: r.last.json?.complete ?? null,
      scannedBytes: r.last.json?.scanned?.bytes ?? null,
    };
  };
  await page('first page, no filter', '/api/audit?limit=50');
  await page('first page, tool=docker_stop', '/api/audit?limit=50&tool=docker_stop');
  await page('first page, outcome=denied', '/api/audit?limit=50&outcome=denied');
  await page('first page, 1-hour time range 70% back', `/api/audit?limit=50&from=${from}&to=${to}`);
  if (deep) await page('page deep in via cursor (middle file)', `/api/audit?limit=50&cursor=${deep}`);
  const seq = Math.max(1, Math.floor(lastSeq / 3));
  const probe = await timedGet(srv.origin, `/api/audit/record/${seq}`);
  if (probe.status === 200) await page('record detail (a third of the way in)', `/api/audit/record/${seq}`);
  else {
    // A build without the route: the lookup it would use, called directly.
    const r = await repeat(RUNS, async () => {
      const t0 = performance.now();
      await findRecordBySeq(dir, seq);
      return { ms: performance.now() - t0 };
    });
    out.cases['record detail (a third of the way in)'] = {
      path: 'findRecordBySeq (no route)',
      ...r,
      last: undefined,
    };
  }
  const csv = await timedStreamStart(srv.origin, '/api/audit/export?format=csv', 1);
  if (csv.status === 200) {
    const r = await repeat(RUNS, () =>
      timedStreamStart(srv.origin, '/api/audit/export?format=csv', 64 * 1024),
    );
    out.cases['CSV export, first 64 KiB'] = {
      path: '/api/audit/export?format=csv',
      median: r.median,
      runs: r.runs,
    };
  }

  // Verify: a full run (forced where the build supports it), then 100 appends and an incremental run.
  const full = [];
  const during = [];
  for (let i = 0; i < VERIFY_RUNS; i++) {
    // While it runs, the page keeps asking for its first page: the verify must not hold the event loop.
    let done = false;
    const run = timedGet(srv.origin, '/api/audit/verify?full=1').finally(() => (done = true));
    while (!done) {
      await new Promise((ok) => setTimeout(ok, 100));
      if (!done) during.push(await timedGet(srv.origin, '/api/audit?limit=50'));
    }
    full.push(await run);
  }
  out.cases['verify, full chain'] = {
    path: '/api/audit/verify?full=1',
    median: round(median(full.map((r) => r.ms)), 2),
    runs: full.map((r) => round(r.ms, 2)),
    maxStallMs: round(Math.max(...full.map((r) => r.stallMs)), 1),
    ok: full.at(-1).json?.ok ?? null,
    verifiedRecords: full.at(-1).json?.records ?? null,
  };
  const sorted = during.map((r) => r.ms).sort((a, b) => a - b);
  out.cases['first page during full verify (runs: min, p99)'] = {
    path: '/api/audit?limit=50',
    median: round(median(sorted), 2),
    runs: [round(sorted[0], 2), round(sorted[Math.floor(sorted.length * 0.99)] ?? NaN, 2)],
    requests: during.length,
    maxStallMs: round(Math.max(...during.map((r) => r.stallMs)), 1),
  };
  const incr = [];
  for (let i = 0; i < VERIFY_RUNS; i++) {
    for (let j = 0; j < 100; j++) await srv.audit.append(eventEntry(j), false);
    incr.push(await timedGet(srv.origin, '/api/audit/verify'));
  }
  out.cases['verify after 100 appends'] = {
    path: '/api/audit/verify',
    median: round(median(incr.map((r) => r.ms)), 2),
    runs: incr.map((r) => round(r.ms, 2)),
    maxStallMs: round(Math.max(...incr.map((r) => r.stallMs)), 1),
    ok: incr.at(-1).json?.ok ?? null,
    checkedRecords: incr.at(-1).json?.checked?.records ?? null,
  };
  await srv.close();
  return out;
}

function eventEntry(j) {
  return {
    id: `bench-${Date.now()}-${j}`,
    time: new Date().toISOString(),
    stage: 'event',
    principal: 'webgui',
    event: 'settings.changed',
    details: { fields: ['readOnly'] },
  };
}

// ---- main ----
const work = mkdtempSync(join(tmpdir(), 'umcp-bench-webui-api-'));
const cleanup = () => rmSync(work, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
try {
  console.log(
    `unraid-mcp audit viewer API bench — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
  );
  console.log(`code: ${DIST}\n`);
  const bigDir = values['log-dir'] ? resolve(values['log-dir']) : join(work, 'big');
  const smallDir = join(work, 'small');
  const genBig = await prepareAuditHistory(DIST, bigDir, RECORDS);
  await prepareAuditHistory(DIST, smallDir, BASE_RECORDS);
  const small = await measureLog(smallDir, BASE_RECORDS);
  const big = await measureLog(bigDir, RECORDS);
  const names = Object.keys(big.cases);
  const label = (n) => `${(n / 1000).toLocaleString('en')}k`;
  console.log(
    `\nAdmin API over HTTP (loopback), median of ${RUNS} runs (${VERIFY_RUNS} for verify); ${label(RECORDS)} records in ${big.files} files (${(big.bytes / 2 ** 20).toFixed(0)} MiB) vs ${label(BASE_RECORDS)} in ${small.files}`,
  );
  console.log(
    formatTable(
      [
        'request',
        `${label(BASE_RECORDS)} ms`,
        `${label(RECORDS)} ms`,
        'runs ms',
        'longest stall ms',
        'records',
        'complete',
      ],
      names.map((n) => {
        const c = big.cases[n];
        return [
          n,
          small.cases[n]?.median ?? '-',
          c.median,
          c.cold ?? '-',
          c.runs.map((x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))).join(' '),
          c.maxStallMs ?? '-',
          c.records ?? c.verifiedRecords ?? c.checkedRecords ?? '-',
          c.complete ?? c.ok ?? '-',
        ];
      }),
    ),
  );
  const firstPages = names.filter(
    (n) => n.startsWith('first page') || n.startsWith('page deep') || n.startsWith('record'),
  );
  const misses = firstPages.filter((n) => !(big.cases[n].median < TARGET_API_MS));
  console.log(
    `\ntarget: every page and record request < ${TARGET_API_MS} ms median over ${label(RECORDS)} records — ${misses.length ? `MISS: ${misses.join(', ')}` : 'met'}`,
  );
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(
    values.out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        code: DIST,
        machine: {
          node: process.version,
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          memGiB: totalmem() / 2 ** 30,
          kernel: release(),
        },
        settings: { records: RECORDS, baselineRecords: BASE_RECORDS, runs: RUNS, verifyRuns: VERIFY_RUNS },
        generationSeconds: genBig,
        baseline: small,
        large: big,
        target: { apiMs: TARGET_API_MS, met: misses.length === 0, misses },
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${values.out}`);
} finally {
  cleanup();
}
