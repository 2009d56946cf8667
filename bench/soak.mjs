#!/usr/bin/env node
// bench/soak: many MCP sessions doing a realistic mix of calls for a while, then none — does the
// sidecar's memory stay flat under steady use and come back once the sessions are gone, does
// /healthz stay quick, and does every call succeed?
//
// Method
// - A private real dockerd (scripts/dockerd.mjs) runs --containers small containers, each writing a
//   log line every 200 ms (and an error line to stderr every 50), and as many created, never started
//   ones: the targets of the Docker calls.
// - The built sidecar (dist/, production V8 flags) runs over the testdata fixtures with that dockerd,
//   --tokens operate tokens made with its CLI, and its limits raised just enough for the load:
//   MAX_SESSIONS and MAX_SESSIONS_PER_TOKEN so every session fits, MAX_CONCURRENT_CALLS above the
//   session count, and the per-token rate (TOKEN_CALLS_PER_SECOND/TOKEN_CALL_BURST) above what a
//   token's sessions send together. Nothing else is changed: confirmations keep their defaults.
// - Idle: --settle s after ready, VmRSS is read (*idle*, before any session). Then one session does
//   every action once and closes; after --settle s more, VmRSS again (*primed*: what loads on first
//   use is loaded) and V8's heap from /metrics; /healthz is timed for 2 s (the idle baseline).
// - Run: --sessions MCP clients (one Client and session each, v2 client in legacy mode unless
//   --client sdk1), spread over the tokens, each on its own container. Each session loops for
//   --duration s: pick an action, do it, think for a random --pace (200–500 ms) after every answer,
//   so a slower server gets fewer calls, as with real clients. Actions by --mix weight:
//     overview  system_overview
//     list      docker_list
//     logs      docker_logs of its container, tail 100 (every other time with a grep)
//     confirm   docker_stop (token mode) of a stopped container: the first call must answer with a
//               confirmation_token and do nothing; after a think the session sends it back and is
//               told "already stopped" (the whole confirmation path, no work in Docker)
//     restart   the same with docker_restart of its running container, which Docker restarts
//               (kept rare: each restart starts runc and a shim, which costs a 2-core machine more
//               than the sidecar does)
//   VmRSS is read at --warmup s into the run (*warm-up*), at half-time and at its end (*end*),
//   sampled every 100 ms (*peak*) and every second for the timeline. /healthz is probed every 100 ms
//   on a separate thread during the whole run (its own timing, open loop).
// - Close: every session ends with DELETE; the sidecar's own gauge must read 0 open sessions. Idle
//   --idle s, then VmRSS again (*after close*) and V8's heap.
// - Errors: a thrown call (HTTP error, timeout, transport error), an isError answer other than the
//   expected confirmation request, a confirmation request without a token, and a client's background
//   transport error during the run, a failed /healthz probe, an error while priming, a session left
//   open. Every one counts; the target is 0.
// Targets: RSS growth from warm-up to end < 10 % (the trend of the 1 s samples in between, see rssTrend), RSS after close within 10 MB of primed idle, /healthz p99
// during the run < 100 ms, errors = 0. A MISS does not fail the run (exit 0 when it completed).
// Prints tables and writes bench/results/soak.json.
//
// Usage: npm run build && npm run bench:soak [-- --sessions 200 --duration 60 --idle 60 --warmup 10
//        --tokens 20 --containers 10 --pace 200-500 --mix overview=35,list=20,logs=35,confirm=9,restart=1
//        --settle 12 --client v2-legacy|sdk1]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { importBusyboxImage, startDockerd } from '../scripts/dockerd.mjs';
import { cleanupAll, installCleanupHandlers, makeTempDir, runBench } from './lib/children.mjs';
import { latencySummary, startHealthzProbe } from './lib/healthz-probe.mjs';
import { closeMcpClients, connectMcpClients, describeError } from './lib/load.mjs';
import { machineInfo, readCpuMs, readRssByKind, readRssKb, startRssSampler } from './lib/proc.mjs';
import {
  createBenchToken,
  REPO,
  SIDECAR_MAIN,
  sidecarEnv,
  sidecarLogProblems,
  sourceRevision,
  startBuiltSidecar,
} from './lib/sidecar.mjs';
import { formatTable, kbToMb, round } from './lib/stats.mjs';

const RESULTS = join(REPO, 'bench/results/soak.json');
const TARGETS = { growthPct: 10, backToIdleMb: 10, healthzP99Ms: 100, errors: 0 };
const ACTIONS = ['overview', 'list', 'logs', 'confirm', 'restart'];
const log = (line = '') => process.stdout.write(line + '\n');

/**
 * How RSS moved between the warm-up and the end marks, as the least-squares line through the 1 s
 * samples in between: the fitted values at both ends and their difference in %. One sample lands
 * anywhere on V8's collection sawtooth (the heap swings by tens of MB between major collections at
 * this load), so warm-up-to-end from two samples says more about the GC's phase than about growth;
 * the fitted line says what a leak would do — climb all along.
 */
function rssTrend(timeline) {
  const from = timeline.find((t) => t.phase === 'warm-up')?.s;
  const to = timeline.find((t) => t.phase === 'end')?.s;
  if (from === undefined || to === undefined) return null;
  const pts = timeline.filter((t) => t.s >= from && t.s <= to && t.rssMb !== null);
  if (pts.length < 3) return null;
  const mx = pts.reduce((a, p) => a + p.s, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.rssMb, 0) / pts.length;
  const slope =
    pts.reduce((a, p) => a + (p.s - mx) * (p.rssMb - my), 0) / pts.reduce((a, p) => a + (p.s - mx) ** 2, 0);
  const fromMb = my + slope * (from - mx);
  const toMb = my + slope * (to - mx);
  return {
    samples: pts.length,
    fromMb: round(fromMb, 1),
    toMb: round(toMb, 1),
    growthPct: round(((toMb - fromMb) / fromMb) * 100, 1),
  };
}

const mapValues = (o, f) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

/** An error whose message says it all (no stack trace printed). */
const usageError = (message) => Object.assign(new Error(message), { expected: true });

function parseOptions() {
  const { values } = parseArgs({
    options: {
      sessions: { type: 'string', default: '200' },
      duration: { type: 'string', default: '60' },
      idle: { type: 'string', default: '60' },
      warmup: { type: 'string', default: '10' },
      settle: { type: 'string', default: '12' },
      tokens: { type: 'string', default: '20' },
      containers: { type: 'string', default: '10' },
      pace: { type: 'string', default: '200-500' },
      mix: { type: 'string', default: 'overview=35,list=20,logs=35,confirm=9,restart=1' },
      client: { type: 'string', default: 'v2-legacy' },
      'node-args': { type: 'string', default: '' },
    },
  });
  const num = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min)
      throw usageError(`--${name} must be a number ≥ ${min} (got "${values[name]}")`);
    return n;
  };
  const pace = /^(\d+)-(\d+)$/.exec(values.pace);
  if (!pace || Number(pace[1]) > Number(pace[2]))
    throw usageError(`--pace is MIN-MAX in ms, e.g. 200-500 (got "${values.pace}")`);
  const mix = {};
  for (const part of values.mix.split(',')) {
    const m = /^(\w+)=(\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!m || !ACTIONS.includes(m[1]))
      throw usageError(`--mix takes ${ACTIONS.map((a) => `${a}=WEIGHT`).join(',')} (got "${values.mix}")`);
    mix[m[1]] = Number(m[2]);
  }
  if (!Object.values(mix).some((w) => w > 0)) throw usageError('--mix needs at least one weight above 0');
  if (!['v2-legacy', 'sdk1'].includes(values.client))
    throw usageError(`--client is v2-legacy or sdk1 (got "${values.client}"): a soak needs sessions`);
  const opts = {
    sessions: Math.round(num('sessions', 1)),
    durationS: num('duration', 1),
    idleS: num('idle', 0),
    warmupS: num('warmup', 0),
    settleS: num('settle', 0),
    tokens: Math.round(num('tokens', 1)),
    containers: Math.round(num('containers', 1)),
    paceMs: [Number(pace[1]), Number(pace[2])],
    mix,
    client: values.client,
    nodeArgs: values['node-args'].split(' ').filter(Boolean),
  };
  if (opts.warmupS >= opts.durationS)
    throw usageError(`--warmup (${opts.warmupS} s) must be shorter than --duration (${opts.durationS} s)`);
  if (opts.sessions > 1000) throw usageError('--sessions is at most 1000 (MAX_SESSIONS goes no higher)');
  opts.tokens = Math.min(opts.tokens, opts.sessions);
  return opts;
}

/** The limits the sidecar gets: just enough for the load (see the header). */
function limitsFor(opts) {
  const perToken = Math.ceil(opts.sessions / opts.tokens);
  // What one token's sessions can send at most: one call per session per (pace min + ~0 latency).
  const tokenRate = Math.ceil((perToken * 1000) / Math.max(1, opts.paceMs[0]));
  return {
    MAX_SESSIONS: Math.min(1000, Math.max(64, opts.sessions + 16)),
    MAX_SESSIONS_PER_TOKEN: Math.min(1000, Math.max(16, perToken + 4)),
    MAX_CONCURRENT_CALLS: Math.min(1000, Math.max(32, opts.sessions + 32)),
    TOKEN_CALLS_PER_SECOND: Math.min(10_000, Math.max(20, tokenRate * 2)),
    TOKEN_CALL_BURST: Math.min(100_000, Math.max(60, tokenRate * 4)),
  };
}

// ---------------------------------------------------------------------------------------------
// Setup

/**
 * `count` running containers that keep writing logs (a line every 200 ms, an error line on stderr
 * every 50 lines), and `count` created but never started (stopped) ones.
 */
async function startContainers(docker, image, count) {
  const running = [];
  const stopped = [];
  const script =
    'i=0; while :; do echo "level=info soak tick $i"; ' +
    'if [ $((i % 50)) -eq 0 ]; then echo "level=error soak failure $i" >&2; fi; i=$((i+1)); sleep 0.2; done';
  for (let i = 0; i < count; i++) {
    const name = `soak-app-${String(i).padStart(2, '0')}`;
    const c = await docker.createContainer({
      name,
      Image: image,
      Cmd: ['sh', '-c', script],
      HostConfig: { NetworkMode: 'none', Init: true },
    });
    await c.start();
    running.push(name);
    const idle = `soak-stopped-${String(i).padStart(2, '0')}`;
    await docker.createContainer({
      name: idle,
      Image: image,
      Cmd: ['true'],
      HostConfig: { NetworkMode: 'none' },
    });
    stopped.push(idle);
  }
  return { running, stopped };
}

async function prepareSidecar(work, dockerSocket, opts, limits) {
  const cfg = Object.entries(limits)
    .map(([k, v]) => `${k}="${v}"\n`)
    .join('');
  const env = sidecarEnv(work, { cfg, dockerSocket });
  const secrets = [];
  // One at a time: with no sidecar running, the CLI writes tokens.json itself.
  for (let i = 0; i < opts.tokens; i++) secrets.push(await createBenchToken(env, `soak-${i}`, 'operate'));
  return { env, secrets };
}

// ---------------------------------------------------------------------------------------------
// The sidecar's own view

/** Open sessions and tool-call outcomes as the sidecar counts them (/metrics, bearer token). */
async function sidecarCounters(mcpUrl, secret) {
  const res = await fetch(new URL('/metrics', mcpUrl), { headers: { Authorization: `Bearer ${secret}` } });
  if (!res.ok) throw new Error(`/metrics answered HTTP ${res.status}`);
  const out = {
    sessionsActive: null,
    heapUsedMb: null,
    heapTotalMb: null,
    externalMb: null,
    toolCalls: {},
    httpRejected: {},
  };
  const mb = (x) => round(Number(x) / 2 ** 20, 1);
  for (const line of (await res.text()).split('\n')) {
    let m = /^unraid_mcp_sessions_active\s+(\S+)/.exec(line);
    if (m) out.sessionsActive = Number(m[1]);
    // V8's own figures (prom-client's default metrics, read when /metrics is scraped): what the JS
    // heap holds, as against what the process keeps mapped (RSS).
    m = /^unraid_mcp_nodejs_(heap_size_used|heap_size_total|external_memory)_bytes\s+(\S+)/.exec(line);
    if (m)
      out[
        { heap_size_used: 'heapUsedMb', heap_size_total: 'heapTotalMb', external_memory: 'externalMb' }[m[1]]
      ] = mb(m[2]);
    m = /^unraid_mcp_tool_calls_total\{tool="([^"]*)",outcome="([^"]*)"\}\s+(\S+)/.exec(line);
    if (m) out.toolCalls[`${m[1]} ${m[2]}`] = Number(m[3]);
    m = /^unraid_mcp_http_rejected_total\{reason="([^"]*)"\}\s+(\S+)/.exec(line);
    if (m) out.httpRejected[m[1]] = Number(m[2]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The load

/** Per call kind: latencies and errors. */
function newTally() {
  const kinds = new Map();
  const errors = new Map();
  return {
    ok(kind, ms) {
      if (!kinds.has(kind)) kinds.set(kind, { latencies: [], errors: 0 });
      kinds.get(kind).latencies.push(ms);
    },
    fail(kind, why) {
      if (!kinds.has(kind)) kinds.set(kind, { latencies: [], errors: 0 });
      kinds.get(kind).errors++;
      const key = `${kind}: ${why}`;
      errors.set(key, (errors.get(key) ?? 0) + 1);
    },
    summary() {
      const byKind = {};
      for (const [kind, { latencies, errors: n }] of kinds)
        byKind[kind] = { calls: latencies.length + n, errors: n, ...latencySummary(latencies) };
      return { byKind, errorKinds: Object.fromEntries(errors) };
    },
  };
}

const KIND = {
  overview: 'system_overview',
  list: 'docker_list',
  logs: 'docker_logs',
  confirm: {
    tool: 'docker_stop',
    ask: 'docker_stop (asks: confirmation_token)',
    act: 'docker_stop (with the token: already stopped)',
  },
  restart: {
    tool: 'docker_restart',
    ask: 'docker_restart (asks: confirmation_token)',
    act: 'docker_restart (with the token: restarts)',
  },
};
const KIND_ORDER = [
  KIND.overview,
  KIND.list,
  KIND.logs,
  KIND.confirm.ask,
  KIND.confirm.act,
  KIND.restart.ask,
  KIND.restart.act,
];

function pickAction(mix) {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  let r = Math.random() * total;
  for (const [action, weight] of Object.entries(mix)) {
    r -= weight;
    if (r < 0) return action;
  }
  return Object.keys(mix)[0];
}

/**
 * One action of a session (ACTIONS); its calls go to `tally`. `think` runs between the two calls of a
 * confirmation (the agent asks its user). `n` is the session's count of actions so far (docker_logs
 * alternates between a plain tail and a grep).
 */
async function runAction(session, action, { tally, think, n }) {
  const { client, container, stopped } = session;
  const call = async (kind, name, args) => {
    const t = performance.now();
    try {
      const res = await client.callTool({ name, arguments: args });
      return { res, ms: performance.now() - t };
    } catch (err) {
      tally.fail(kind, describeError(err));
      return null;
    }
  };
  const expectOk = (kind, done) => {
    if (!done) return;
    if (done.res.isError) {
      const text = (done.res.content ?? []).map((c) => c.text ?? '').join(' ');
      tally.fail(kind, `isError result: ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
    } else tally.ok(kind, done.ms);
  };
  if (action === 'overview') return expectOk(KIND.overview, await call(KIND.overview, 'system_overview', {}));
  if (action === 'list') return expectOk(KIND.list, await call(KIND.list, 'docker_list', {}));
  if (action === 'logs') {
    const args = n % 2 ? { id: container, tail: 100, grep: 'level=error' } : { id: container, tail: 100 };
    return expectOk(KIND.logs, await call(KIND.logs, 'docker_logs', args));
  }
  // confirm: docker_stop of a container that is not running (the whole confirmation path, no Docker
  // work); restart: docker_restart of the session's running container (Docker restarts it).
  const { tool, ask, act } = KIND[action];
  const args = { id: action === 'confirm' ? stopped : container, timeout: 0 };
  const asked = await call(ask, tool, args);
  if (!asked) return;
  const token = asked.res._meta?.['unraid-mcp/confirmation']?.token;
  if (!asked.res.isError || typeof token !== 'string')
    return tally.fail(ask, 'no confirmation_token in the answer (was the call carried out at once?)');
  tally.ok(ask, asked.ms);
  await think();
  expectOk(act, await call(act, tool, { ...args, confirmation_token: token }));
}

/**
 * One session's loop until `until` (performance.now() ms): actions by weight, a think of a random
 * pace after every answer. A confirmation started before `until` is finished after it (an agent
 * would), so the last calls may end shortly after the run.
 */
async function sessionLoop(session, { until, opts, tally }) {
  const [paceMin, paceMax] = opts.paceMs;
  const think = () => sleep(paceMin + Math.random() * (paceMax - paceMin));
  await sleep(Math.random() * paceMax); // so the sessions do not all start on the same tick
  for (let n = 0; performance.now() < until; n++) {
    await runAction(session, pickAction(opts.mix), { tally, think, n });
    await think();
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseOptions();
  if (!existsSync(SIDECAR_MAIN)) throw usageError('dist/server/main.js is missing: run npm run build first');
  installCleanupHandlers();
  const limits = limitsFor(opts);
  const machine = machineInfo();
  log(
    `soak: ${opts.sessions} sessions (${opts.client}) on ${opts.tokens} tokens, ${opts.durationS} s of calls ` +
      `(a think of ${opts.paceMs.join('–')} ms after each), then ${opts.idleS} s idle; ` +
      `mix ${Object.entries(opts.mix)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  );
  if (machine.loadAvgAtStart[0] > machine.cores * 0.5)
    log(`NOTE: load average is already ${machine.loadAvgAtStart[0]} on ${machine.cores} cores.`);

  const work = makeTempDir('umcp-bench-soak-');
  const dockerd = await startDockerd();
  // If the bench is interrupted (Ctrl-C, SIGTERM), the daemon — started detached, so no child of ours —
  // is stopped on the way out and its directory removed. Synchronous, as 'exit' handlers must be.
  const dockerdPid = Number(readFileSync(join(dockerd.dir, 'dockerd.pid'), 'utf8'));
  const stopDockerdOnExit = () => {
    // Running unless gone or a zombie (this process is its parent and reaps it only after exit).
    const alive = () => {
      try {
        const stat = readFileSync(`/proc/${dockerdPid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
      } catch {
        return false;
      }
    };
    if (alive()) process.kill(dockerdPid, 'SIGTERM');
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 100 && alive(); i++) Atomics.wait(nap, 0, 0, 100);
    if (alive()) process.kill(dockerdPid, 'SIGKILL');
    try {
      execFileSync('umount', ['-R', join(dockerd.dir, 'exec')], { stdio: 'ignore' });
    } catch {
      // nothing was mounted
    }
    rmSync(dockerd.dir, { recursive: true, force: true });
  };
  process.on('exit', stopDockerdOnExit);
  try {
    const image = await importBusyboxImage(dockerd.socket);
    const docker = new Docker({ socketPath: dockerd.socket });
    log(`starting ${opts.containers} log-writing containers on a private dockerd …`);
    const containers = await startContainers(docker, image, opts.containers);
    log(`creating ${opts.tokens} operate tokens …`);
    const { env, secrets } = await prepareSidecar(work, dockerd.socket, opts, limits);

    const srv = await startBuiltSidecar(env, work, { nodeArgs: opts.nodeArgs });
    const url = srv.match[1];
    const origin = new URL(url).origin;
    const timeline = [];
    const t0 = performance.now();
    const mark = (phase) =>
      timeline.push({
        s: round((performance.now() - t0) / 1000, 1),
        phase,
        rssMb: kbToMb(readRssKb(srv.pid)),
      });
    const ticker = setInterval(() => mark('tick'), 1000);

    log(`sidecar ready in ${round(srv.readyMs, 0)} ms; idling ${opts.settleS} s …`);
    await sleep(opts.settleS * 1000);
    const idleKb = readRssKb(srv.pid);
    mark('idle');
    // Primed: one session does every action once (what loads on first use is loaded), closes, and
    // the sidecar idles again. The back-to-idle target is measured against this.
    const primeTally = newTally();
    {
      const { sessions: one } = await connectMcpClients(url, {
        count: 1,
        headers: { Authorization: `Bearer ${secrets[0]}` },
        client: opts.client,
      });
      const session = { ...one[0], container: containers.running[0], stopped: containers.stopped[0] };
      for (const [action, n] of [
        ['overview', 0],
        ['list', 0],
        ['logs', 0],
        ['logs', 1],
        ['confirm', 0],
        ['restart', 0],
      ])
        await runAction(session, action, { tally: primeTally, think: async () => {}, n });
      await closeMcpClients(one);
    }
    await sleep(opts.settleS * 1000);
    const primedKb = readRssKb(srv.pid);
    const primedKinds = readRssByKind(srv.pid);
    const primedCounters = await sidecarCounters(url, secrets[0]);
    mark('primed');
    const idleProbe = startHealthzProbe(origin, 100);
    await idleProbe.started;
    await sleep(2000);
    const healthzIdle = await idleProbe.stop();

    // Sessions: token i % tokens, container i % containers.
    log(`opening ${opts.sessions} sessions …`);
    const connectStart = performance.now();
    const groups = await Promise.all(
      secrets.map((secret, t) =>
        connectMcpClients(url, {
          count: Math.floor(opts.sessions / opts.tokens) + (t < opts.sessions % opts.tokens ? 1 : 0),
          headers: { Authorization: `Bearer ${secret}` },
          client: opts.client,
        }),
      ),
    );
    const connectMs = performance.now() - connectStart;
    const sessions = groups
      .flatMap((g) => g.sessions)
      .map((s, i) => ({
        ...s,
        container: containers.running[i % containers.running.length],
        stopped: containers.stopped[i % containers.stopped.length],
      }));
    const connectedKb = readRssKb(srv.pid);
    mark('connected');
    log(
      `  ${sessions.length} sessions open in ${round(connectMs / 1000, 1)} s; running ${opts.durationS} s …`,
    );

    // The run.
    const tally = newTally();
    const probe = startHealthzProbe(origin, 100);
    await probe.started;
    const sampler = startRssSampler(srv.pid, 100);
    const dockerdCpu0 = readCpuMs(dockerdPid);
    const sidecarCpu0 = readCpuMs(srv.pid);
    const self0 = process.cpuUsage();
    const runStart = performance.now();
    let warmupKb = null;
    const warmupTimer = setTimeout(() => {
      warmupKb = readRssKb(srv.pid);
      mark('warm-up');
    }, opts.warmupS * 1000);
    // Half-time: with the warm-up reading, tells a slow ramp from a steady creep.
    let halfKb = null;
    const halfTimer = setTimeout(
      () => {
        halfKb = readRssKb(srv.pid);
        mark('half-time');
      },
      (opts.durationS * 1000) / 2,
    );
    const progress = setInterval(() => {
      const s = tally.summary();
      const calls = Object.values(s.byKind).reduce((a, k) => a + k.calls, 0);
      const errors = Object.values(s.byKind).reduce((a, k) => a + k.errors, 0);
      log(
        `  ${round((performance.now() - runStart) / 1000, 0)} s: ${calls} calls, ${errors} errors, RSS ${kbToMb(readRssKb(srv.pid))} MB`,
      );
    }, 10_000);
    const until = runStart + opts.durationS * 1000;
    await Promise.all(sessions.map((s) => sessionLoop(s, { until, opts, tally })));
    const runMs = performance.now() - runStart;
    clearTimeout(warmupTimer);
    clearTimeout(halfTimer);
    clearInterval(progress);
    const endKb = readRssKb(srv.pid);
    mark('end');
    const { peakKb } = sampler.stop();
    const self = process.cpuUsage(self0);
    const sidecarCpuMs = readCpuMs(srv.pid) - sidecarCpu0;
    const dockerdCpuMs = readCpuMs(dockerdPid) - dockerdCpu0;
    const healthzRun = await probe.stop();
    const background = {};
    for (const g of groups) for (const [k, n] of g.background) background[k] = (background[k] ?? 0) + n;

    // Close and idle.
    const countersRun = await sidecarCounters(url, secrets[0]);
    await closeMcpClients(sessions);
    await sleep(500);
    const afterClose = await sidecarCounters(url, secrets[0]);
    const closedKb = readRssKb(srv.pid);
    mark('closed');
    log(`sessions closed (the sidecar counts ${afterClose.sessionsActive} open); idling ${opts.idleS} s …`);
    await sleep(opts.idleS * 1000);
    const finalKb = readRssKb(srv.pid);
    const finalKinds = readRssByKind(srv.pid);
    const finalCounters = await sidecarCounters(url, secrets[0]);
    mark('after idle');
    clearInterval(ticker);
    const exit = await srv.stop();

    // Figures.
    const pick = (c) => ({ heapUsedMb: c.heapUsedMb, heapTotalMb: c.heapTotalMb, externalMb: c.externalMb });
    const { byKind, errorKinds } = tally.summary();
    const calls = Object.values(byKind).reduce((a, k) => a + k.calls, 0);
    const callErrors = Object.values(byKind).reduce((a, k) => a + k.errors, 0);
    const backgroundErrors = Object.values(background).reduce((a, b) => a + b, 0);
    const primeErrors = primeTally.summary().errorKinds;
    const primeErrorCount = Object.values(primeErrors).reduce((a, b) => a + b, 0);
    const errors =
      callErrors +
      backgroundErrors +
      healthzRun.failures +
      primeErrorCount +
      (afterClose.sessionsActive ?? 1);
    const growthPct = warmupKb ? round(((endKb - warmupKb) / warmupKb) * 100, 1) : null;
    const trend = rssTrend(timeline);
    const halfGrowthPct = halfKb ? round(((endKb - halfKb) / halfKb) * 100, 1) : null;
    const backMb = kbToMb(finalKb - primedKb);
    const result = {
      date: new Date().toISOString(),
      revision: sourceRevision(),
      machine,
      opts,
      limits,
      containers: { running: containers.running.length, stopped: containers.stopped.length },
      sessions: sessions.length,
      connectMs: round(connectMs, 0),
      runMs: round(runMs, 0),
      calls,
      callsPerSec: round(calls / (runMs / 1000), 1),
      byKind,
      errors: {
        total: errors,
        calls: callErrors,
        kinds: errorKinds,
        priming: primeErrors,
        background,
        healthzFailures: healthzRun.failureKinds,
        sessionsLeftOpen: afterClose.sessionsActive,
      },
      rss: {
        idleMb: kbToMb(idleKb),
        primedMb: kbToMb(primedKb),
        connectedMb: kbToMb(connectedKb),
        warmupMb: kbToMb(warmupKb),
        halfTimeMb: kbToMb(halfKb),
        growthAfterHalfTimePct: halfGrowthPct,
        endMb: kbToMb(endKb),
        peakMb: kbToMb(peakKb),
        closedMb: kbToMb(closedKb),
        afterIdleMb: kbToMb(finalKb),
        growthAfterWarmupPct: growthPct,
        trendAfterWarmup: trend,
        afterIdleVsPrimedMb: backMb,
        afterIdleVsIdleMb: kbToMb(finalKb - idleKb),
        // Where the difference sits: the C heap (glibc's main arena), V8 and other anonymous memory, mapped files.
        byKindMb: {
          primed: primedKinds && mapValues(primedKinds, kbToMb),
          afterIdle: finalKinds && mapValues(finalKinds, kbToMb),
        },
        timeline,
      },
      heap: {
        primed: pick(primedCounters),
        end: pick(countersRun),
        afterIdle: pick(finalCounters),
      },
      healthz: {
        idle: { ...healthzIdle, latenciesMs: undefined },
        run: { ...healthzRun, latenciesMs: undefined },
        runLatenciesMs: healthzRun.latenciesMs,
      },
      cpu: {
        sidecarPct: round((sidecarCpuMs / runMs) * 100, 0),
        sidecarMsPerCall: round(sidecarCpuMs / Math.max(1, calls), 3),
        dockerdPct: round((dockerdCpuMs / runMs) * 100, 0),
        loadgenPct: round(((self.user + self.system) / 1000 / runMs) * 100, 0),
        loadAvgAtEnd: loadavg().map((x) => round(x, 2)),
      },
      sidecarCounters: { run: countersRun, afterClose, afterIdle: finalCounters },
      sidecarLogProblems: sidecarLogProblems(srv.logPath),
      sidecarExit: exit,
    };
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    result.targets = {
      growth: verdict(trend !== null && trend.growthPct < TARGETS.growthPct),
      backToIdle: verdict(backMb !== null && backMb <= TARGETS.backToIdleMb),
      healthz: verdict(healthzRun.p99Ms !== null && healthzRun.p99Ms < TARGETS.healthzP99Ms),
      errors: verdict(errors === TARGETS.errors),
    };

    log('');
    log(
      formatTable(
        ['call', 'calls', 'errors', 'p50 ms', 'p99 ms', 'max ms'],
        [
          ...KIND_ORDER.filter((k) => byKind[k]).map((k) => [
            k,
            byKind[k].calls,
            byKind[k].errors,
            byKind[k].p50Ms,
            byKind[k].p99Ms,
            byKind[k].maxMs,
          ]),
          ['all', calls, callErrors, null, null, null],
        ],
      ),
    );
    log(
      `\n${calls} calls in ${round(runMs / 1000, 1)} s (${result.callsPerSec}/s) from ${sessions.length} sessions; ` +
        `CPU: sidecar ${result.cpu.sidecarPct} % (${result.cpu.sidecarMsPerCall} ms/call), ` +
        `dockerd ${result.cpu.dockerdPct} %, load generator ${result.cpu.loadgenPct} % (100 % = one core, ${machine.cores} cores)`,
    );
    log('');
    const sign = (x) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x}`);
    const mb = (x) => (x === null ? '-' : `${x} MB`);
    log(
      formatTable(
        ['measure', 'value', 'target', 'result'],
        [
          [`RSS idle (${opts.settleS} s after ready, no session yet)`, mb(result.rss.idleMb), '-', 'info'],
          [
            `RSS idle, primed (one session did each action once, then ${opts.settleS} s idle)`,
            mb(result.rss.primedMb),
            '-',
            'baseline',
          ],
          [
            `RSS with ${sessions.length} sessions open, before the first call`,
            mb(result.rss.connectedMb),
            '-',
            'info',
          ],
          [`RSS at warm-up (${opts.warmupS} s into the run)`, mb(result.rss.warmupMb), '-', 'info'],
          [`RSS at the end of the run (${opts.durationS} s)`, mb(result.rss.endMb), '-', 'info'],
          ['RSS peak during the run (sampled every 100 ms)', mb(result.rss.peakMb), '-', 'info'],
          [
            'RSS growth from warm-up to end (the two samples)',
            `${growthPct} % (${mb(result.rss.warmupMb)} → ${mb(result.rss.endMb)})`,
            '-',
            'info',
          ],
          [
            `RSS growth from warm-up to end (trend: least-squares fit of ${trend?.samples ?? 0} samples)`,
            trend ? `${trend.growthPct} % (${mb(trend.fromMb)} → ${mb(trend.toMb)})` : 'n/a',
            `< ${TARGETS.growthPct} %`,
            result.targets.growth,
          ],
          [
            `RSS growth from half-time (${opts.durationS / 2} s) to end`,
            `${halfGrowthPct} % (${mb(result.rss.halfTimeMb)} → ${mb(result.rss.endMb)})`,
            '-',
            'info',
          ],
          ['RSS right after the sessions closed', mb(result.rss.closedMb), '-', 'info'],
          [
            `RSS ${opts.idleS} s after the sessions closed (vs primed idle; vs idle)`,
            `${mb(result.rss.afterIdleMb)} (${sign(backMb)} MB; ${sign(result.rss.afterIdleVsIdleMb)} MB)`,
            `≤ primed + ${TARGETS.backToIdleMb} MB`,
            result.targets.backToIdle,
          ],
          [
            'RSS by kind, primed → after close + idle: C heap / V8 + other anonymous / files',
            ['malloc', 'anon', 'files']
              .map((k) => `${result.rss.byKindMb.primed?.[k]} → ${result.rss.byKindMb.afterIdle?.[k]}`)
              .join(' / ') + ' MB',
            '-',
            'info',
          ],
          [
            'V8 heap used / total (/metrics): primed → end → after close + idle',
            ['primed', 'end', 'afterIdle']
              .map((k) => `${result.heap[k].heapUsedMb} / ${result.heap[k].heapTotalMb}`)
              .join(' → ') + ' MB',
            '-',
            'info',
          ],
          [
            '/healthz idle: p50 / p99 / max',
            `${healthzIdle.p50Ms} / ${healthzIdle.p99Ms} / ${healthzIdle.maxMs} ms`,
            '-',
            'baseline',
          ],
          [
            `/healthz during the run (every 100 ms, ${healthzRun.samples} samples): p50 / p99 / max`,
            `${healthzRun.p50Ms} / ${healthzRun.p99Ms} / ${healthzRun.maxMs} ms`,
            `p99 < ${TARGETS.healthzP99Ms} ms`,
            result.targets.healthz,
          ],
          [
            'errors (calls, background, /healthz, sessions left open)',
            `${errors} (${callErrors}, ${backgroundErrors}, ${healthzRun.failures}, ${afterClose.sessionsActive})`,
            '= 0',
            result.targets.errors,
          ],
        ],
      ),
    );
    if (errors) {
      log('\nWARNING: errors by kind:');
      for (const [k, n] of Object.entries({
        ...errorKinds,
        ...Object.fromEntries(Object.entries(primeErrors).map(([k, n]) => [`priming: ${k}`, n])),
        ...background,
        ...healthzRun.failureKinds,
      }))
        log(`  ${n} × ${k}`);
    }
    const problems = Object.entries(result.sidecarLogProblems);
    if (problems.length) {
      log('\nsidecar warn/error log lines:');
      for (const [k, n] of problems.slice(0, 10)) log(`  ${n} × ${k}`);
    }
    if (exit.code !== 0) log(`\nWARNING: the sidecar exited with ${JSON.stringify(exit)} on SIGTERM`);
    mkdirSync(join(REPO, 'bench/results'), { recursive: true });
    writeFileSync(RESULTS, JSON.stringify(result, null, 2));
    log('\nwrote bench/results/soak.json');
  } finally {
    cleanupAll();
    await dockerd.stop();
    process.off('exit', stopDockerdOnExit);
  }
}

runBench('soak', main);
