#!/usr/bin/env node
// Spawn → ready and idle RSS of the packaged sidecar (the esbuild bundle, started by the package's
// launcher with the Node it ships) next to the unbundled build (dist/server/main.js) in the same run,
// on the packaged Node and on this machine's Node, and the bundle with the V8 flags the sidecar sets
// at runtime given on Node's command line instead; starts interleaved. Prints a table and writes
// bench/results/package.json. Usage: npm run build && npm run bench:package -- [--starts 5] [--settle 12]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildPackage } from '../scripts/package/build.mjs';
import { installCleanupHandlers, makeTempDir, runBench, startServer } from './lib/children.mjs';
import { machineInfo, readCpuMs, readRssKb } from './lib/proc.mjs';
import { REPO, SIDECAR_MAIN, SIDECAR_NODE_FLAGS, sidecarEnv } from './lib/sidecar.mjs';
import { formatTable, kbToMb, median, round } from './lib/stats.mjs';

const TARGET_READY_MS = 300;
const LIB = 'usr/local/lib/unraid-mcp';
/** What server/util/heap-tuning.ts sets at runtime, given on the command line for comparison. */
const FLAGS_SET_AT_RUNTIME = ['--heap-growing-percent=30', '--expose-gc'];

const { values: opts } = parseArgs({
  options: {
    starts: { type: 'string', default: '5' },
    settle: { type: 'string', default: '12' },
    'package-dir': { type: 'string' },
  },
});
const starts = Number(opts.starts);
const settleS = Number(opts.settle);
if (!Number.isInteger(starts) || starts < 1)
  throw new Error(`--starts must be a whole number ≥ 1, got ${opts.starts}`);
if (!Number.isFinite(settleS) || settleS < 0)
  throw new Error(`--settle must be seconds ≥ 0, got ${opts.settle}`);

/**
 * CPU time all of a process's threads have used so far, in ms, from the scheduler's nanosecond
 * counters (/proc/PID/task/TID/schedstat): /proc/PID/stat counts in 10 ms ticks, too coarse for
 * starts this short. Falls back to that where schedstat is missing.
 */
function cpuMsOf(pid) {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    return readCpuMs(pid);
  }
  return ns > 0 ? round(ns / 1e6, 1) : readCpuMs(pid);
}

async function main() {
  installCleanupHandlers();
  const machine = machineInfo();
  if (!existsSync(SIDECAR_MAIN)) {
    throw Object.assign(new Error('dist/server/main.js is missing: run `npm run build` first'), {
      expected: true,
    });
  }
  const work = makeTempDir('umcp-bench-package-');
  console.log('building the package…');
  const built = await buildPackage({ out: opts['package-dir'] ?? join(work, 'package'), log: () => {} });
  const root = join(work, 'root');
  mkdirSync(root);
  execFileSync('tar', ['-xJf', built.txzPath, '-C', root]);
  const packagedNode = join(root, LIB, 'node/bin/node');

  // The launcher keeps V8's compile cache in RAM (NODE_COMPILE_CACHE): the first start after a boot
  // compiles everything, later starts reuse it. Both are measured; here the cache lives in `work`.
  const warmCache = join(work, 'compile-cache');
  const lanes = [
    {
      id: 'bundled',
      title: `bundled, packaged Node ${built.node}, launcher, warm compile cache`,
      command: join(root, LIB, 'bin/unraid-mcp'),
      args: ['serve'],
      env: () => ({ NODE_COMPILE_CACHE: warmCache }),
    },
    {
      id: 'bundled-cold',
      title: `bundled, packaged Node ${built.node}, launcher, empty compile cache (first start after boot)`,
      command: join(root, LIB, 'bin/unraid-mcp'),
      args: ['serve'],
      env: (dir) => ({ NODE_COMPILE_CACHE: join(dir, 'compile-cache') }),
    },
    {
      // The V8 flags the sidecar now sets itself once it is up (server/util/heap-tuning.ts), on Node's
      // command line as before: V8 then refuses the code cache of Node's own modules.
      id: 'bundled-flags-on-command-line',
      title: `bundled, warm compile cache, ${FLAGS_SET_AT_RUNTIME.join(' ')} on Node's command line`,
      command: packagedNode,
      args: [...SIDECAR_NODE_FLAGS, ...FLAGS_SET_AT_RUNTIME, join(root, LIB, 'unraid-mcp.mjs'), 'serve'],
      env: () => ({ NODE_COMPILE_CACHE: join(work, 'compile-cache-flags') }),
    },
    {
      id: 'unbundled-packaged-node',
      title: `unbundled dist/, packaged Node ${built.node}`,
      command: packagedNode,
      args: [...SIDECAR_NODE_FLAGS, SIDECAR_MAIN, 'serve'],
    },
    {
      id: 'unbundled',
      title: `unbundled dist/, this machine's Node ${process.version.slice(1)}`,
      command: process.execPath,
      args: [...SIDECAR_NODE_FLAGS, SIDECAR_MAIN, 'serve'],
    },
  ];
  const runs = Object.fromEntries(lanes.map((l) => [l.id, []]));
  // One warm-up start per lane (page cache, first-run costs), not counted.
  for (let i = -1; i < starts; i++) {
    // Interleaved, and the order rotates, so a slow moment on a shared machine hits every lane.
    const order = lanes.map((_, k) => lanes[(k + Math.max(i, 0)) % lanes.length]);
    for (const lane of order) {
      const dir = join(work, `${lane.id}-${i + 1}`);
      const srv = await startServer({
        name: lane.id,
        command: lane.command,
        args: lane.args,
        env: { ...sidecarEnv(dir), ...(lane.env?.(dir) ?? {}) },
        cwd: REPO,
        readyOn: 'stdout',
        readyPattern: /MCP URL (http:\/\/\S+)/,
        logPath: join(work, `${lane.id}.log`),
      });
      // CPU time used up to ready: steadier than wall time when other work shares the cores.
      const cpuMs = cpuMsOf(srv.pid);
      await sleep(1000);
      const rss1sKb = readRssKb(srv.pid);
      await sleep(Math.max(0, settleS * 1000 - 1000));
      const idleKb = readRssKb(srv.pid);
      const stopped = await srv.stop();
      if (stopped.code !== 0)
        throw new Error(`${lane.id} exited ${stopped.code} (signal ${stopped.signal}) on SIGTERM`);
      if (i >= 0) runs[lane.id].push({ readyMs: round(srv.readyMs, 1), cpuMs, rss1sKb, idleKb });
      process.stdout.write(
        i < 0 ? `${lane.id} warm-up\n` : `${lane.id} #${i + 1}: ready ${Math.round(srv.readyMs)} ms\n`,
      );
    }
  }

  const summary = lanes.map((l) => ({
    lane: l.id,
    title: l.title,
    readyMsMedian: round(median(runs[l.id].map((r) => r.readyMs)), 1),
    readyMsMin: Math.min(...runs[l.id].map((r) => r.readyMs)),
    cpuMsToReadyMedian: round(median(runs[l.id].map((r) => r.cpuMs)), 1),
    rss1sMbMedian: kbToMb(median(runs[l.id].map((r) => r.rss1sKb))),
    idleRssMbMedian: kbToMb(median(runs[l.id].map((r) => r.idleKb))),
  }));
  console.log(`\n${starts} starts per lane (medians), idle RSS read ${settleS} s after ready:\n`);
  console.log(
    formatTable(
      ['lane', 'ready ms', 'min ms', 'CPU ms to ready', 'RSS 1 s MB', 'idle RSS MB'],
      summary.map((s) => [
        s.title,
        s.readyMsMedian,
        s.readyMsMin,
        s.cpuMsToReadyMedian,
        s.rss1sMbMedian,
        s.idleRssMbMedian,
      ]),
    ),
  );
  const bundled = summary[0];
  const verdict = bundled.readyMsMedian <= TARGET_READY_MS ? 'OK' : 'MISS';
  console.log(
    `\ntarget: bundled ready ≤ ${TARGET_READY_MS} ms (median): ${bundled.readyMsMedian} ms ${verdict}`,
  );
  console.log(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (${machine.cores} cores)`,
  );
  console.log(
    `package ${built.package}: ${round(built.packageBytes / 1048576, 1)} MiB on flash, ${round(built.installedBytes / 1048576, 1)} MiB installed (RAM)`,
  );

  const results = join(REPO, 'bench/results');
  mkdirSync(results, { recursive: true });
  const git = (...a) => execFileSync('git', a, { cwd: REPO, encoding: 'utf8' }).trim();
  writeFileSync(
    join(results, 'package.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        commit: git('rev-parse', '--short', 'HEAD'),
        machine,
        options: { starts, settleS, nodeFlags: SIDECAR_NODE_FLAGS },
        package: {
          name: built.package,
          sha256: built.sha256,
          packageBytes: built.packageBytes,
          installedBytes: built.installedBytes,
          node: built.node,
        },
        target: { readyMs: TARGET_READY_MS, verdict },
        summary,
        runs,
      },
      null,
      2,
    )}\n`,
  );
  console.log('\nwrote bench/results/package.json');
}

runBench('package', main);
