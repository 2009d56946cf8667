#!/usr/bin/env node
// bench/docker: the Docker tools' overhead and memory bound, against a private real dockerd.
//
// 1. With 50 containers, `docker_list` through MCP (one session, sequential calls) against
//    `listContainers` through dockerode directly, in the same run: median latency and the ratio.
// 2. A container that wrote >= 200 MB of logs: `docker_logs` tail 1000 with a grep, time (median of
//    several calls) and the sidecar's RSS growth while it scans (VmRSS sampled every 50 ms).
// 3. The same log searched whole (`since`, so Docker sends all 200 MB and every line is tested):
//    grep, and two regex filters (one with literal text to pre-check, one where every line reaches
//    the regex engine), interleaved call by call; median time, lines matched, RSS growth.
// 4. /healthz latency while --hostile-clients MCP clients (8) each run docker_logs with a pattern
//    chosen to be as slow as the limits allow (4 KB lines of random a/b/x, where RE2's DFA cache
//    cannot help), against /healthz latency on the idle sidecar measured just before: p50, p99, max.
// Prints a table and writes bench/results/docker.json.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { startDockerd, importBusyboxImage } from '../scripts/dockerd.mjs';
import { cleanupAll, installCleanupHandlers, makeTempDir } from './lib/children.mjs';
import { connectMcpClients, closeMcpClients, callToolOrThrow } from './lib/load.mjs';
import { readRssKb, startRssSampler, machineInfo } from './lib/proc.mjs';
import { createBenchToken, REPO, SIDECAR_MAIN, sidecarEnv, startBuiltSidecar } from './lib/sidecar.mjs';
import { formatTable, kbToMb, median, percentileSorted, round } from './lib/stats.mjs';

const MAIN = SIDECAR_MAIN;
const { values: opts } = parseArgs({
  options: {
    containers: { type: 'string', default: '50' },
    calls: { type: 'string', default: '200' },
    'log-mb': { type: 'string', default: '200' },
    'log-calls': { type: 'string', default: '5' },
    'scan-calls': { type: 'string', default: '3' },
    'hostile-clients': { type: 'string', default: '8' },
  },
});
const log = (...a) => console.log(...a);

async function main() {
  if (!existsSync(MAIN)) throw new Error('dist/server/main.js is missing: run npm run build first');
  installCleanupHandlers();
  const work = makeTempDir('umcp-bench-docker-');
  const dockerd = await startDockerd();
  try {
    const image = await importBusyboxImage(dockerd.socket);
    const docker = new Docker({ socketPath: dockerd.socket });
    const count = Number(opts.containers);
    log(`starting ${count} containers on a private dockerd …`);
    for (let i = 0; i < count; i++) {
      const c = await docker.createContainer({
        name: `bench-c-${String(i).padStart(2, '0')}`,
        Image: image,
        Cmd: ['sleep', '3600'],
        HostConfig: { NetworkMode: 'none', Init: true },
      });
      await c.start();
    }
    const logMb = Number(opts['log-mb']);
    log(`writing ${logMb} MB of logs …`);
    const lines = Math.ceil((logMb * 1e6) / 100);
    const writer = await docker.createContainer({
      name: 'bench-logs',
      Image: image,
      Cmd: [
        'busybox',
        'awk',
        `BEGIN{for(i=0;i<${lines};i++){ if(i%1000==0) print "level=error request failed id=" i; else print "level=info request ok id=" i " padding-padding-padding-padding-padding-padding-padding-pad" }}`,
      ],
      HostConfig: { NetworkMode: 'none' },
    });
    const t0 = performance.now();
    await writer.start();
    await writer.wait();
    log(`  logs written in ${round((performance.now() - t0) / 1000, 1)} s`);
    // 40 lines of 4095 random a/b/x: the hostile log of step 4 (its searches read the last 12).
    const hostile = await docker.createContainer({
      name: 'bench-hostile',
      Image: image,
      Cmd: [
        'busybox',
        'awk',
        'BEGIN { srand(1); for (l = 0; l < 40; l++) { for (i = 0; i < 4095; i++) printf "%s", substr("abx", int(rand() * 3) + 1, 1); printf "\\n" } }',
      ],
      HostConfig: { NetworkMode: 'none' },
    });
    await hostile.start();
    await hostile.wait();

    const env = sidecarEnv(work, { dockerSocket: dockerd.socket });
    const secret = await createBenchToken(env, 'bench', 'read', MAIN);
    const srv = await startBuiltSidecar(env, work);
    const { sessions } = await connectMcpClients(srv.match[1], {
      count: 1,
      headers: { Authorization: `Bearer ${secret}` },
    });
    const client = sessions[0].client;

    // 1. docker_list through MCP vs listContainers directly, alternating so both see the same machine state.
    const calls = Number(opts.calls);
    const mcpMs = [];
    const directMs = [];
    for (let i = 0; i < 20; i++) {
      await callToolOrThrow(client, 'docker_list', {});
      await docker.listContainers({ all: true });
    }
    for (let i = 0; i < calls; i++) {
      let t = performance.now();
      const res = await callToolOrThrow(client, 'docker_list', {});
      mcpMs.push(performance.now() - t);
      if (i === 0 && (res.structuredContent?.containers?.length ?? 0) < count)
        throw new Error(
          `docker_list returned ${res.structuredContent?.containers?.length} containers, expected ${count + 1}`,
        );
      t = performance.now();
      await docker.listContainers({ all: true });
      directMs.push(performance.now() - t);
    }

    // The floor: an MCP tool call that does almost nothing (system_overview is served from a 1 s cache),
    // so the table can say how much of docker_list's time is the protocol and the safety layers.
    const floorMs = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await callToolOrThrow(client, 'system_overview', {});
      floorMs.push(performance.now() - t);
    }

    // 2. docker_logs over the big log: time and RSS growth.
    const before = readRssKb(srv.pid);
    const sampler = startRssSampler(srv.pid, 50);
    const logMs = [];
    let last;
    for (let i = 0; i < Number(opts['log-calls']); i++) {
      const t = performance.now();
      last = await callToolOrThrow(client, 'docker_logs', {
        id: 'bench-logs',
        tail: 1000,
        grep: 'level=error',
      });
      logMs.push(performance.now() - t);
    }
    const { peakKb } = sampler.stop();

    // 3. Whole-log searches: every line goes through the filter. Interleaved, so a slow moment hits all.
    const scanCases = [
      {
        key: 'tailRegex',
        label: `docker_logs tail 1000 + regex over ${logMb} MB`,
        args: { id: 'bench-logs', tail: 1000, regex: 'level=(error|fatal) request failed' },
      },
      {
        key: 'scanGrep',
        label: `docker_logs whole log (since) + grep, ${logMb} MB`,
        args: { id: 'bench-logs', since: '1h', tail: 1000, grep: 'level=error' },
      },
      {
        key: 'scanRegexLiteral',
        label: `docker_logs whole log + regex 'level=(error|fatal) request failed'`,
        args: { id: 'bench-logs', since: '1h', tail: 1000, regex: 'level=(error|fatal) request failed' },
      },
      {
        key: 'scanRegexEngine',
        label: `docker_logs whole log + regex 'id=\\d+000$'`,
        args: { id: 'bench-logs', since: '1h', tail: 1000, regex: 'id=\\d+000$' },
      },
    ];
    const scanBefore = readRssKb(srv.pid);
    const scanSampler = startRssSampler(srv.pid, 50);
    const scanMs = Object.fromEntries(scanCases.map((c) => [c.key, []]));
    const scanCounts = {};
    for (let i = 0; i < Number(opts['scan-calls']); i++) {
      for (const c of scanCases) {
        const t = performance.now();
        const res = await callToolOrThrow(client, 'docker_logs', c.args);
        scanMs[c.key].push(performance.now() - t);
        scanCounts[c.key] = {
          scanned: res.structuredContent?.scanned,
          matched: res.structuredContent?.matched,
        };
      }
    }
    const { peakKb: scanPeakKb } = scanSampler.stop();

    // 4. /healthz while hostile regex searches run, against /healthz on the idle sidecar.
    const origin = new URL(srv.match[1]).origin;
    const healthz = async () => {
      const t = performance.now();
      const res = await fetch(`${origin}/healthz`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      return performance.now() - t;
    };
    const idleMs = [];
    for (let i = 0; i < 200; i++) {
      idleMs.push(await healthz());
      await new Promise((r) => setTimeout(r, 5));
    }
    const hostileClients = Number(opts['hostile-clients']);
    const { sessions: hostileSessions } = await connectMcpClients(srv.match[1], {
      count: hostileClients,
      headers: { Authorization: `Bearer ${secret}` },
    });
    const hostileArgs = {
      id: 'bench-hostile',
      tail: 12,
      regex: 'a.{0,240}x.{0,240}[^abxyz]',
      ignoreCase: false,
    };
    const hostileStart = performance.now();
    let searching = hostileClients;
    const searches = hostileSessions.map((s) =>
      callToolOrThrow(s.client, 'docker_logs', hostileArgs).finally(() => searching--),
    );
    const loadedMs = [];
    while (searching > 0) {
      loadedMs.push(await healthz());
      await new Promise((r) => setTimeout(r, 20));
    }
    const hostileResults = await Promise.all(searches);
    const hostileWallMs = performance.now() - hostileStart;
    if (hostileResults.some((r) => r.structuredContent?.scanned !== 12))
      throw new Error('a hostile search did not scan all 12 lines');
    await closeMcpClients(hostileSessions);
    const latency = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        samples: sorted.length,
        p50Ms: round(percentileSorted(sorted, 50), 1),
        p99Ms: round(percentileSorted(sorted, 99), 1),
        maxMs: round(sorted.at(-1), 1),
      };
    };

    await closeMcpClients(sessions);
    const exit = await srv.stop();
    const result = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      containers: count + 1,
      list: {
        calls,
        mcpMedianMs: round(median(mcpMs), 2),
        directMedianMs: round(median(directMs), 2),
        ratio: round(median(mcpMs) / median(directMs), 2),
        mcpFloorMedianMs: round(median(floorMs), 2),
      },
      logs: {
        logMb,
        calls: logMs.length,
        medianMs: round(median(logMs), 1),
        rssBeforeMb: kbToMb(before),
        peakRssMb: kbToMb(peakKb),
        growthMb: kbToMb(peakKb - before),
        returned: last?.structuredContent ? Object.keys(last.structuredContent) : null,
      },
      scans: Object.fromEntries(
        scanCases.map((c) => [
          c.key,
          {
            args: c.args,
            calls: scanMs[c.key].length,
            medianMs: round(median(scanMs[c.key]), 1),
            allMs: scanMs[c.key].map((x) => round(x, 1)),
            ...scanCounts[c.key],
          },
        ]),
      ),
      scanRss: {
        rssBeforeMb: kbToMb(scanBefore),
        peakRssMb: kbToMb(scanPeakKb),
        growthMb: kbToMb(scanPeakKb - scanBefore),
      },
      healthz: {
        idle: latency(idleMs),
        underHostileRegex: { ...latency(loadedMs), clients: hostileClients, wallMs: round(hostileWallMs, 0) },
      },
      sidecarExit: exit,
    };
    log('');
    log(
      formatTable(
        ['measure', 'value', 'target', 'result'],
        [
          ['docker_list via MCP (median)', `${result.list.mcpMedianMs} ms`, '-', 'info'],
          ['listContainers via dockerode (median)', `${result.list.directMedianMs} ms`, '-', 'info'],
          [
            'MCP call floor: system_overview from cache (median)',
            `${result.list.mcpFloorMedianMs} ms`,
            '-',
            'info',
          ],
          ['overhead ratio', `${result.list.ratio}x`, '<= 1.5x', result.list.ratio <= 1.5 ? 'PASS' : 'MISS'],
          [
            `docker_logs tail 1000 + grep over ${logMb} MB (median)`,
            `${result.logs.medianMs} ms`,
            '< 1000 ms',
            result.logs.medianMs < 1000 ? 'PASS' : 'MISS',
          ],
          [
            'sidecar RSS growth during logs',
            `${result.logs.growthMb} MB`,
            '< 30 MB',
            result.logs.growthMb < 30 ? 'PASS' : 'MISS',
          ],
          ...scanCases.map((c) => [
            `${c.label} (median; ${result.scans[c.key].matched}/${result.scans[c.key].scanned} lines matched)`,
            `${result.scans[c.key].medianMs} ms`,
            '-',
            'info',
          ]),
          ['sidecar RSS growth during whole-log searches', `${result.scanRss.growthMb} MB`, '-', 'info'],
          [
            '/healthz idle: p50 / p99 / max',
            `${result.healthz.idle.p50Ms} / ${result.healthz.idle.p99Ms} / ${result.healthz.idle.maxMs} ms`,
            '-',
            'baseline',
          ],
          [
            `/healthz during ${hostileClients} hostile regex searches (${round(hostileWallMs / 1000, 1)} s): p50 / p99 / max`,
            `${result.healthz.underHostileRegex.p50Ms} / ${result.healthz.underHostileRegex.p99Ms} / ${result.healthz.underHostileRegex.maxMs} ms`,
            'p99 < 100 ms',
            result.healthz.underHostileRegex.p99Ms < 100 ? 'PASS' : 'MISS',
          ],
        ],
      ),
    );
    mkdirSync(join(REPO, 'bench/results'), { recursive: true });
    writeFileSync(join(REPO, 'bench/results/docker.json'), JSON.stringify(result, null, 2));
    log('\nwrote bench/results/docker.json');
  } finally {
    cleanupAll();
    await dockerd.stop();
  }
}

main().catch((err) => {
  console.error(err.stack ?? String(err));
  cleanupAll();
  process.exit(1);
});
