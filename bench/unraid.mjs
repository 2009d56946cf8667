#!/usr/bin/env node
// bench/unraid: the Unraid toolset's reads over big host files, through MCP against the built sidecar.
//
// Rows, each with a baseline measured in the same run on the same files:
// - parity_history over a 20-year parity-checks.log (baseline: readParityHistory from dist/ alone, every line);
// - syslog_read tail 1,000 + grep over a 500 MB syslog (target: median < 300 ms, sidecar RSS growth
//   < 20 MB), baseline `tail -n 1000 | grep -iF` in a shell; and, for context, one whole-file search
//   (since + grep without a match, and since + severity error, over all 500 MB; baselines `grep -c`),
//   --scan-calls times;
// - notifications_list over 10,000 notification files (target: median < 200 ms): the newest 20 (the
//   default call), and a filter that matches almost nothing, so every file is read; baselines
//   `ls | sort | tail -n 20 | xargs cat` and `grep -l` over every file.
//
// Method
// - Files are written at set-up: the parity log by testdata/unraid/make-parity-log.mjs (--years, 20);
//   the syslog by testdata/unraid/make-syslog.mjs (--syslog-mb, 500: one line a second, a warning every
//   997 lines, an I/O error every 4999); the notification folder here (--notifications, 10,000 archived
//   notifications, one in 500 an alert, the newest 50 also unread — notify writes both copies).
// - The sidecar is the built dist/server/main.js with the production V8 flags, temp config/state/audit
//   dirs, a read token made with its CLI, and UNRAID_MCP_PARITY_LOG / UNRAID_MCP_SYSLOG /
//   UNRAID_MCP_DYNAMIX_CFG pointing at the files. One MCP session calls sequentially; latency is
//   tools/call sent → answer parsed. --warmup calls are discarded, then --calls are measured; median and
//   p95 are reported. RSS growth is the sidecar's VmRSS peak (sampled every 50 ms) during the measured
//   syslog calls minus VmRSS just before them.
// Prints a table (with the targets) and writes bench/results/unraid.json.
//
//   npm run build && npm run bench:unraid
//   npm run bench:unraid -- --calls 50 --warmup 10 --syslog-mb 500 --notifications 10000 --scan-calls 3
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { callToolOrThrow, closeMcpClients, connectMcpClients } from './lib/load.mjs';
import { createBenchToken, REPO, SIDECAR_MAIN, sidecarEnv, startBuiltSidecar } from './lib/sidecar.mjs';
import { readRssKb, startRssSampler } from './lib/proc.mjs';
import { formatTable, median, percentileSorted, round } from './lib/stats.mjs';
import { writeSyslog } from '../testdata/unraid/make-syslog.mjs';

const RESULTS = join(REPO, 'bench/results/unraid.json');
const { values: opts } = parseArgs({
  options: {
    years: { type: 'string', default: '20' },
    calls: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '10' },
    'syslog-mb': { type: 'string', default: '500' },
    notifications: { type: 'string', default: '10000' },
    'scan-calls': { type: 'string', default: '3' },
  },
});
const YEARS = Number(opts.years);
const CALLS = Number(opts.calls);
const WARMUP = Number(opts.warmup);
const SYSLOG_MB = Number(opts['syslog-mb']);
const NOTIFICATIONS = Number(opts.notifications);
const SCAN_CALLS = Number(opts['scan-calls']);
const log = (...a) => console.log(...a);
const sh = (cmd) => execFileSync('bash', ['-c', cmd], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

function summarize(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  return { medianMs: round(median(ms)), p95Ms: round(percentileSorted(sorted, 95)), calls: ms.length };
}

async function timed(n, fn) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

const count = (path) => Number(execFileSync('wc', ['-l', path]).toString().trim().split(/\s+/)[0]);

/** 10,000 archived notifications in the current quoted format; the newest 50 also unread. */
function writeNotifications(dir, n) {
  mkdirSync(join(dir, 'unread'), { recursive: true });
  mkdirSync(join(dir, 'archive'), { recursive: true });
  const end = Math.floor(Date.now() / 1000);
  let alerts = 0;
  for (let i = 0; i < n; i++) {
    const ts = end - (n - 1 - i) * 600;
    const importance = i % 500 === 7 ? 'alert' : i % 7 === 0 ? 'warning' : 'normal';
    if (importance === 'alert') alerts++;
    const name = `Unraid_Status_${ts}.notify`;
    const body =
      `timestamp=${ts}\nevent="Unraid Status"\nsubject="Notice [TOWER] - array health report [PASS] #${i}"\n` +
      `description="Array has 6 disks (including parity & pools)"\nimportance="${importance}"\n`;
    writeFileSync(join(dir, 'archive', name), body);
    if (i >= n - 50) writeFileSync(join(dir, 'unread', name), `${body}link=""\n`);
  }
  return alerts;
}

/** Each row: the files it needs (written into `work`), its calls, and the baselines. */
const ROWS = [
  {
    id: 'parity_history',
    setUp(work) {
      const path = join(work, 'parity-checks.log');
      execFileSync(process.execPath, [
        join(REPO, 'testdata/unraid/make-parity-log.mjs'),
        path,
        String(YEARS),
      ]);
      const lines = count(path);
      return {
        env: { UNRAID_MCP_PARITY_LOG: path },
        facts: { years: YEARS, lines, bytes: statSync(path).size },
        path,
      };
    },
    calls: (p) => [
      {
        label: 'parity_history limit 20',
        tool: 'parity_history',
        args: { limit: 20 },
        check: (d) => d.entries.length === Math.min(20, p.facts.lines),
      },
      {
        label: 'parity_history limit 200',
        tool: 'parity_history',
        args: { limit: 200 },
        check: (d) => d.entries.length === Math.min(200, p.facts.lines),
      },
    ],
    async baselines(p) {
      const { readParityHistory } = await import(join(REPO, 'dist/server/backends/unraid/parity-history.js'));
      return [
        {
          label: `baseline: readParityHistory, all ${p.facts.lines} lines (no MCP)`,
          run: async () => {
            const h = await readParityHistory(p.path, 1_000_000);
            if (h.entries.length !== p.facts.lines)
              throw new Error(`read ${h.entries.length} of ${p.facts.lines} lines`);
          },
        },
      ];
    },
  },
  {
    id: 'syslog_read',
    setUp(work) {
      const path = join(work, 'syslog');
      const { lines, bytes } = writeSyslog(path, { megabytes: SYSLOG_MB, end: new Date() });
      const expected = Number(sh(`tail -n 1000 '${path}' | grep -ciF 'hard resetting' || true`).trim());
      const errorsInFile = Number(sh(`grep -cF 'I/O error' '${path}' || true`).trim());
      return {
        env: { UNRAID_MCP_SYSLOG: path },
        facts: { lines, bytes, megabytes: round(bytes / 1048576, 1) },
        path,
        expected,
        errorsInFile,
      };
    },
    rss: true,
    targets: { medianMs: 300, rssGrowthMb: 20 },
    calls: (p) => [
      {
        label: `syslog_read tail 1000 + grep, ${p.facts.megabytes} MB`,
        tool: 'syslog_read',
        args: { tail: 1000, grep: 'hard resetting' },
        check: (d) => d.scanned === 1000 && d.returned === p.expected,
        target: true,
      },
    ],
    async baselines(p) {
      return [
        {
          label: 'baseline: tail -n 1000 | grep -iF (bash)',
          run: async () => {
            const n = Number(sh(`tail -n 1000 '${p.path}' | grep -ciF 'hard resetting' || true`).trim());
            if (n !== p.expected) throw new Error(`grep found ${n}`);
          },
        },
      ];
    },
    scans: (p) => [
      {
        label: `syslog_read since + grep (no match), whole ${p.facts.megabytes} MB`,
        tool: 'syslog_read',
        args: { since: '3650d', grep: 'segfault', tail: 5000 },
        check: (d) => d.scanned === p.facts.lines && d.matched === 0,
        baseline: {
          label: "baseline: grep -ciF 'segfault' over the whole file (bash)",
          run: async () => sh(`grep -ciF 'segfault' '${p.path}' || true`),
        },
      },
      {
        label: `syslog_read since + severity error, whole ${p.facts.megabytes} MB`,
        tool: 'syslog_read',
        args: { since: '3650d', severity: 'error', tail: 5000 },
        check: (d) => d.scanned === p.facts.lines && d.matched === p.errorsInFile,
        baseline: {
          label: "baseline: grep -cF 'I/O error' over the whole file (bash)",
          run: async () => sh(`grep -cF 'I/O error' '${p.path}'`),
        },
      },
    ],
  },
  {
    id: 'notifications_list',
    setUp(work) {
      const dir = join(work, 'notifications');
      const alerts = writeNotifications(dir, NOTIFICATIONS);
      const cfg = join(work, 'dynamix.cfg');
      writeFileSync(
        cfg,
        `[notify]\ndate="d-m-Y"\ntime="H:i"\npath="${dir}"\nnormal="1"\nwarning="1"\nalert="1"\n`,
      );
      return { env: { UNRAID_MCP_DYNAMIX_CFG: cfg }, facts: { files: NOTIFICATIONS + 50 }, dir, alerts };
    },
    targets: { medianMs: 200 },
    calls: (p) => [
      {
        label: `notifications_list newest 20 of ${NOTIFICATIONS} files`,
        tool: 'notifications_list',
        args: {},
        check: (d) => d.notifications.length === 20 && d.archivedTotal === NOTIFICATIONS - 50,
        target: true,
      },
      {
        label: `notifications_list importance alert (reads all ${NOTIFICATIONS} files)`,
        tool: 'notifications_list',
        args: { importance: 'alert', limit: 200 },
        check: (d) => d.notifications.length === p.alerts,
        target: true,
      },
    ],
    async baselines(p) {
      return [
        {
          label: 'baseline: ls | sort | tail -n 20 | xargs cat (bash)',
          run: async () => sh(`cd '${p.dir}/archive' && ls -1 | sort | tail -n 20 | xargs cat > /dev/null`),
        },
        {
          label: `baseline: grep -l importance alert over all ${NOTIFICATIONS} files (bash)`,
          run: async () => {
            const n = sh(`cd '${p.dir}/archive' && grep -lF 'importance="alert"' -- *.notify | wc -l`).trim();
            if (Number(n) !== p.alerts) throw new Error(`grep found ${n}`);
          },
        },
      ];
    },
  },
];

const work = mkdtempSync(join(tmpdir(), 'umcp-bench-unraid-'));
const result = {
  bench: 'unraid',
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    kernel: release(),
    node: process.version,
  },
  settings: {
    years: YEARS,
    calls: CALLS,
    warmup: WARMUP,
    syslogMb: SYSLOG_MB,
    notifications: NOTIFICATIONS,
    scanCalls: SCAN_CALLS,
  },
  rows: [],
};
let srv;
let sessions;
try {
  const prepared = ROWS.map((row) => ({ row, ...row.setUp(work) }));
  // 200 parity entries (~85 KB of JSON) must come back whole, not capped, and calls follow each other at
  // once: the bench raises the response cap and the per-token call rate.
  const env = sidecarEnv(work, {
    cfg: 'RESPONSE_CAP_KB="256"\nTOKEN_CALLS_PER_SECOND="1000"\nTOOLSETS="system,docker,vm,unraid"\n',
  });
  for (const p of prepared) Object.assign(env, p.env);
  const secret = await createBenchToken(env, 'bench', 'read', SIDECAR_MAIN);
  srv = await startBuiltSidecar(env, work);
  ({ sessions } = await connectMcpClients(srv.match[1], {
    count: 1,
    headers: { Authorization: `Bearer ${secret}` },
  }));
  const { client } = sessions[0];
  for (const p of prepared) {
    for (const c of p.row.calls(p)) {
      const call = async () => {
        const res = await callToolOrThrow(client, c.tool, c.args);
        if (!c.check(res.structuredContent))
          throw new Error(
            `${c.label}: unexpected answer ${JSON.stringify(res.structuredContent).slice(0, 300)}`,
          );
      };
      await timed(WARMUP, call);
      const rssBefore = p.row.rss ? readRssKb(srv.pid) : null;
      const sampler = p.row.rss ? startRssSampler(srv.pid, 50) : null;
      const stats = summarize(await timed(CALLS, call));
      const rss = sampler
        ? {
            rssBeforeMb: round(rssBefore / 1024, 1),
            rssGrowthMb: round((sampler.stop().peakKb - rssBefore) / 1024, 1),
          }
        : {};
      const targets = c.target ? p.row.targets : undefined;
      const met = targets
        ? stats.medianMs < targets.medianMs &&
          (targets.rssGrowthMb === undefined || rss.rssGrowthMb < targets.rssGrowthMb)
        : undefined;
      result.rows.push({
        row: p.row.id,
        label: c.label,
        ...p.facts,
        ...stats,
        ...rss,
        ...(targets ? { targets, met } : {}),
      });
    }
    for (const b of await p.row.baselines(p)) {
      await timed(Math.min(WARMUP, 3), b.run);
      result.rows.push({
        row: p.row.id,
        label: b.label,
        ...p.facts,
        ...summarize(await timed(CALLS, b.run)),
      });
    }
    for (const s of p.row.scans?.(p) ?? []) {
      const ms = await timed(SCAN_CALLS, async () => {
        const res = await callToolOrThrow(client, s.tool, s.args);
        if (!s.check(res.structuredContent))
          throw new Error(
            `${s.label}: unexpected answer ${JSON.stringify(res.structuredContent).slice(0, 300)}`,
          );
      });
      result.rows.push({ row: p.row.id, label: s.label, ...p.facts, ...summarize(ms) });
      result.rows.push({
        row: p.row.id,
        label: s.baseline.label,
        ...p.facts,
        ...summarize(await timed(SCAN_CALLS, s.baseline.run)),
      });
    }
  }
} finally {
  if (sessions) await closeMcpClients(sessions);
  if (srv) await srv.stop();
  rmSync(work, { recursive: true, force: true });
}

log(
  `bench/unraid — ${YEARS}-year parity history, ${SYSLOG_MB} MB syslog, ${NOTIFICATIONS} notifications; ` +
    `${CALLS} calls after ${WARMUP} warm-up (whole-file scans: ${SCAN_CALLS})\n`,
);
const targetText = (r) =>
  r.targets === undefined
    ? ''
    : `${r.met ? 'MET' : 'MISSED'} (< ${r.targets.medianMs} ms${r.targets.rssGrowthMb === undefined ? '' : `, RSS < +${r.targets.rssGrowthMb} MB`})`;
log(
  formatTable(
    ['Call', 'Median ms', 'p95 ms', 'Calls', 'RSS growth MB', 'Target'],
    result.rows.map((r) => [r.label, r.medianMs, r.p95Ms, r.calls, r.rssGrowthMb ?? '', targetText(r)]),
  ),
);
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
log(`\nwrote ${relative(process.cwd(), RESULTS) || RESULTS}`);
