#!/usr/bin/env node
// bench/unraid: the Unraid toolset's reads over big host files, through MCP against the built sidecar.
// Rows so far: parity_history over a 20-year parity-checks.log. The syslog_read and notifications_list
// rows of issue #15 join the ROWS table below when those tools exist (each row: a file set-up and a call).
//
// Method
// - The log is written by testdata/unraid/make-parity-log.mjs: --years (20) of one check a week, the
//   first five years in the old 5-field format (speed as text), then 7-field lines, with cancelled
//   checks and read-checks mixed in.
// - The sidecar is the built dist/server/main.js with the production V8 flags, temp config/state/audit
//   dirs, a read token made with its CLI and UNRAID_MCP_PARITY_LOG pointing at the log. One MCP
//   session calls sequentially; latency is tools/call sent → answer parsed. --warmup calls are
//   discarded, then --calls are measured; the median and p95 are reported.
// - Context row: the backend alone (readParityHistory from dist/, no MCP) reading every line.
// Prints a table and writes bench/results/unraid.json.
//
//   npm run build && npm run bench:unraid
//   npm run bench:unraid -- --years 20 --calls 50 --warmup 10
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { callToolOrThrow, closeMcpClients, connectMcpClients } from './lib/load.mjs';
import { createBenchToken, REPO, SIDECAR_MAIN, sidecarEnv, startBuiltSidecar } from './lib/sidecar.mjs';
import { formatTable, median, percentileSorted, round } from './lib/stats.mjs';

const RESULTS = join(REPO, 'bench/results/unraid.json');
const { values: opts } = parseArgs({
  options: {
    years: { type: 'string', default: '20' },
    calls: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '10' },
  },
});
const YEARS = Number(opts.years);
const CALLS = Number(opts.calls);
const WARMUP = Number(opts.warmup);
const log = (...a) => console.log(...a);

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

/** Each row: what it measures, the files it needs (written into `work`), and the call. */
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
      const lines = Number(execFileSync('wc', ['-l', path]).toString().trim().split(/\s+/)[0]);
      return {
        env: { UNRAID_MCP_PARITY_LOG: path },
        facts: { years: YEARS, lines, bytes: statSync(path).size },
        path,
      };
    },
    calls: [
      { label: 'parity_history limit 20', tool: 'parity_history', args: { limit: 20 }, expect: 20 },
      { label: 'parity_history limit 200', tool: 'parity_history', args: { limit: 200 }, expect: 200 },
    ],
    async backend(path, lines) {
      const { readParityHistory } = await import(join(REPO, 'dist/server/backends/unraid/parity-history.js'));
      return {
        label: `readParityHistory, all ${lines} lines (no MCP)`,
        run: async () => {
          const h = await readParityHistory(path, 1_000_000);
          if (h.entries.length !== lines) throw new Error(`read ${h.entries.length} of ${lines} lines`);
        },
      };
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
  settings: { years: YEARS, calls: CALLS, warmup: WARMUP },
  rows: [],
};
let srv;
let sessions;
try {
  const prepared = ROWS.map((row) => ({ row, ...row.setUp(work) }));
  // 200 entries (~85 KB of JSON) must come back whole, not capped, and calls follow each other at once:
  // the bench raises the response cap and the per-token call rate.
  const env = sidecarEnv(work, { cfg: 'RESPONSE_CAP_KB="256"\nTOKEN_CALLS_PER_SECOND="1000"\n' });
  for (const p of prepared) Object.assign(env, p.env);
  const secret = await createBenchToken(env, 'bench', 'read', SIDECAR_MAIN);
  srv = await startBuiltSidecar(env, work);
  ({ sessions } = await connectMcpClients(srv.match[1], {
    count: 1,
    headers: { Authorization: `Bearer ${secret}` },
  }));
  const { client } = sessions[0];
  for (const p of prepared) {
    for (const c of p.row.calls) {
      const call = async () => {
        const res = await callToolOrThrow(client, c.tool, c.args);
        const n = res.structuredContent?.entries?.length;
        if (n !== Math.min(c.expect, p.facts.lines)) throw new Error(`${c.label}: ${n} entries`);
      };
      await timed(WARMUP, call);
      result.rows.push({ row: p.row.id, label: c.label, ...p.facts, ...summarize(await timed(CALLS, call)) });
    }
    const b = await p.row.backend(p.path, p.facts.lines);
    await timed(WARMUP, b.run);
    result.rows.push({ row: p.row.id, label: b.label, ...p.facts, ...summarize(await timed(CALLS, b.run)) });
  }
} finally {
  if (sessions) await closeMcpClients(sessions);
  if (srv) await srv.stop();
  rmSync(work, { recursive: true, force: true });
}

log(`bench/unraid — ${YEARS}-year parity history, ${CALLS} calls after ${WARMUP} warm-up\n`);
log(
  formatTable(
    ['Call', 'Lines', 'Median ms', 'p95 ms'],
    result.rows.map((r) => [r.label, r.lines, r.medianMs, r.p95Ms]),
  ),
);
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
log(`\nwrote ${relative(process.cwd(), RESULTS) || RESULTS}`);
