#!/usr/bin/env node
// bench/rate-limit: does the per-token rate limit and the call cap, at their defaults, cost normal use
// anything? Normal use is many clients, each with its own token, each calling at a steady pace below
// the limit (--rate calls/s per client, default 15; the default limit is 20/s, burst 60).
//
// The same paced load runs against the built sidecar twice, alternating --rounds times: once with the
// settings' defaults (TOKEN_CALLS_PER_SECOND 20, TOKEN_CALL_BURST 60, MAX_CONCURRENT_CALLS 32) and once
// with both lifted far out of reach — the baseline, measured in the same run. The table shows
// latency (p50/p99), calls refused (must be 0 under the limit) and the sidecar's CPU per call.
//
// Usage: npm run build && npm run bench:rate-limit [-- --clients 20 --rate 15 --duration 10 --rounds 2]
// Writes bench/results/rate-limit.json.
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { installCleanupHandlers, makeTempDir, runBench } from './lib/children.mjs';
import { closeMcpClients, connectMcpClients } from './lib/load.mjs';
import { machineInfo } from './lib/proc.mjs';
import { createBenchToken, REPO, SIDECAR_MAIN, sidecarEnv, startBuiltSidecar } from './lib/sidecar.mjs';
import { formatTable, median, percentileSorted, round } from './lib/stats.mjs';

const MAIN = SIDECAR_MAIN;
const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    rate: { type: 'string', default: '15' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
  },
});
const opts = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number(v)]));
const log = (...a) => console.log(...a);

const LIFTED = 'TOKEN_CALLS_PER_SECOND="10000"\nTOKEN_CALL_BURST="100000"\nMAX_CONCURRENT_CALLS="1000"\n';

/** A sidecar over the fixtures with `clients` read tokens; `cfg` is written as unraid-mcp.cfg. */
async function prepare(work, cfg) {
  const env = sidecarEnv(work, { cfg });
  const secrets = [];
  for (let i = 0; i < opts.clients; i++)
    secrets.push(await createBenchToken(env, `client-${i}`, 'read', MAIN));
  return { env, secrets };
}

/** CPU time (ms) the process has used so far, from /proc. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
}

/** Every client calls system_overview `rate` times a second for `duration` s, each on its own token. */
async function pacedLoad(label, cfg) {
  const work = makeTempDir('umcp-bench-rate-');
  const { env, secrets } = await prepare(work, cfg);
  const srv = await startBuiltSidecar(env, work);
  const url = srv.match[1];
  const sessions = [];
  for (const secret of secrets) {
    const { sessions: one } = await connectMcpClients(url, {
      count: 1,
      headers: { Authorization: `Bearer ${secret}` },
    });
    sessions.push(...one);
  }
  const latencies = [];
  let refused = 0;
  let failed = 0;
  const interval = 1000 / opts.rate;
  const cpuBefore = cpuMs(srv.pid);
  const end = performance.now() + opts.duration * 1000;
  await Promise.all(
    sessions.map(async ({ client }, i) => {
      await sleep((interval * i) / sessions.length); // spread the clients over one interval
      for (let next = performance.now(); next < end; next += interval) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        const t = performance.now();
        try {
          const res = await client.callTool({ name: 'system_overview', arguments: {} });
          latencies.push(performance.now() - t);
          if (res.isError) refused++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const cpu = cpuMs(srv.pid) - cpuBefore;
  await closeMcpClients(sessions);
  await srv.stop();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    label,
    calls: sorted.length,
    callsPerSecond: round(sorted.length / opts.duration, 1),
    p50Ms: round(percentileSorted(sorted, 50), 2),
    p99Ms: round(percentileSorted(sorted, 99), 2),
    refused,
    failed,
    cpuMsPerCall: round(cpu / Math.max(1, sorted.length), 3),
  };
}

async function main() {
  installCleanupHandlers();
  log(
    `${opts.clients} clients, one token each, ${opts.rate} calls/s each, ${opts.duration} s, ${opts.rounds} rounds`,
  );
  const rounds = [];
  for (let r = 0; r < opts.rounds; r++) {
    // Alternate which goes first, so a slow moment does not always hit the same side.
    const order = r % 2 === 0 ? ['default', 'lifted'] : ['lifted', 'default'];
    for (const side of order) {
      const res = await pacedLoad(side, side === 'default' ? '' : LIFTED);
      log(
        `  round ${r + 1} ${side}: ${res.callsPerSecond} calls/s, p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms, refused ${res.refused}`,
      );
      rounds.push(res);
    }
  }
  const summary = (label) => {
    const mine = rounds.filter((x) => x.label === label);
    return {
      label,
      callsPerSecond: round(median(mine.map((x) => x.callsPerSecond)), 1),
      p50Ms: round(median(mine.map((x) => x.p50Ms)), 2),
      p99Ms: round(median(mine.map((x) => x.p99Ms)), 2),
      refused: mine.reduce((n, x) => n + x.refused + x.failed, 0),
      cpuMsPerCall: round(median(mine.map((x) => x.cpuMsPerCall)), 3),
    };
  };
  const def = summary('default');
  const lifted = summary('lifted');
  log('');
  log(
    formatTable(
      ['limits', 'calls/s', 'p50 ms', 'p99 ms', 'refused or failed', 'sidecar CPU ms/call'],
      [def, lifted].map((s) => [
        s.label === 'default' ? 'defaults (20/s, burst 60, 32 at once)' : 'lifted (baseline)',
        s.callsPerSecond,
        s.p50Ms,
        s.p99Ms,
        s.refused,
        s.cpuMsPerCall,
      ]),
    ),
  );
  const verdict = def.refused === 0 && def.p99Ms <= lifted.p99Ms * 1.5 + 2 ? 'PASS' : 'MISS';
  log(`\nnormal use under the default limits: no refusals, p99 within 1.5x of the baseline — ${verdict}`);
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(
    join(REPO, 'bench/results/rate-limit.json'),
    JSON.stringify(
      { date: new Date().toISOString(), machine: machineInfo(), opts, rounds, def, lifted, verdict },
      null,
      2,
    ),
  );
  log('wrote bench/results/rate-limit.json');
}

runBench('rate-limit', main);
