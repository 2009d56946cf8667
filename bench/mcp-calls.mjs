#!/usr/bin/env node
// Benchmark: MCP tool calls per second through unraid-mcp in both protocol eras, next to two yardsticks.
//
// Lanes (each its own fresh server process, each driven the same way):
// - unraid-mcp 2025 (legacy): the built sidecar, `system_overview`, v2 client in `legacy` mode — a
//   2025 session per client (initialize, Mcp-Session-Id, our sessionful transport).
// - unraid-mcp 2026-07-28 (modern): the same build and tool, v2 client pinned to 2026-07-28 — one
//   Client per simulated client, `server/discover` at connect, then one stateless HTTP request per
//   call through the SDK's createMcpHandler.
// - server-everything (2025): @modelcontextprotocol/server-everything's `echo` tool (a trivial tool
//   on the SDK's usual server), driven like the legacy lane.
// - bare node:http: a server answering every POST with as many bytes as our real response (the most
//   a Node HTTP server can do here; MCP framing, sessions and the tool cost the rest).
// Both unraid-mcp lanes and server-everything use the same client library (v2), so the comparison is
// about the servers; `--legacy-client sdk1` drives the 2025 lanes with the 1.x SDK client instead.
//
// Method
// - Every server runs as its own child process, so none shares an event loop with the load
//   generator (this process). On a small machine they still share the CPU cores; that is the same
//   for all lanes, so the ratios and the server CPU per call are the numbers to read.
// - Startup: the sidecar (and server-everything) is spawned `--starts` times; time to ready is
//   spawn() → its ready line; RSS is read 1 s later and once idle (12 s). Medians are reported.
// - Per lane: start, idle `--settle` s, read RSS (idle, before any request); one probe call (RSS after
//   the first call: what the era loads on first use); `--sessions` clients in a closed loop for
//   `--warmup` s (discarded) + `--duration` s (measured); then one client alone for `--warmup` s +
//   `--single-duration` s (its p50 is the latency of an unloaded server); clients closed, idle
//   `--settle` s, read RSS again (after load). RSS is sampled every 100 ms during the loads (peak).
// - `--rounds N` repeats the lanes N times (legacy and modern swap places every other round), and
//   reports medians.
//
// Usage: npm run build && npm run bench:mcp-calls [-- --duration 10 --sessions 50 --warmup 2 --starts 3
//        --rounds 1 --single-duration 5 --settle 12 --lanes legacy,modern,everything,bare
//        --legacy-client v2|sdk1 --sidecar-main dist/server/main.js]
//        add --profile to write a V8 CPU profile of each sidecar lane to bench/results/profiles/
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { runBench, freePort, installCleanupHandlers, makeTempDir, startServer } from './lib/children.mjs';
import {
  MODERN_REVISION,
  callToolOrThrow,
  closedLoop,
  closeMcpClients,
  connectMcpClients,
} from './lib/load.mjs';
import { cpuMeter, machineInfo, readRssKb, startRssSampler } from './lib/proc.mjs';
import {
  createBenchToken,
  REPO,
  SIDECAR_MAIN,
  sidecarEnv,
  sidecarLogProblems,
  sourceRevision,
  startBuiltSidecar,
} from './lib/sidecar.mjs';
import { formatTable, kbToMb, median, round } from './lib/stats.mjs';

const EVERYTHING_MAIN = join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const BARE_HTTP = join(REPO, 'bench/lib/bare-http-server.mjs');
const RESULTS = join(REPO, 'bench/results/mcp-calls.json');
const PROFILES = join(REPO, 'bench/results/profiles');
const TOOL = 'system_overview';
const TARGETS = { throughputVsEverything: 1.0, modernVsLegacy: 1.0, idleRssMb: 70, readyMs: 600 };
const LANE_KEYS = ['legacy', 'modern', 'everything', 'bare'];

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      sessions: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '2' },
      starts: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '1' },
      'single-duration': { type: 'string', default: '5' },
      settle: { type: 'string', default: '12' },
      lanes: { type: 'string', default: LANE_KEYS.join(',') },
      'legacy-client': { type: 'string', default: 'v2' },
      'sidecar-main': { type: 'string', default: SIDECAR_MAIN },
      profile: { type: 'boolean', default: false },
    },
  });
  const num = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min)
      throw usageError(`--${name} must be a number ≥ ${min} (got "${values[name]}")`);
    return n;
  };
  const lanes = values.lanes.split(',').map((l) => l.trim());
  const unknown = lanes.filter((l) => !LANE_KEYS.includes(l));
  if (unknown.length || !lanes.length)
    throw usageError(
      `--lanes takes a comma-separated list of ${LANE_KEYS.join(', ')} (got "${values.lanes}")`,
    );
  if (lanes.includes('bare') && !lanes.includes('legacy') && !lanes.includes('modern'))
    throw usageError('--lanes bare needs legacy or modern too: it answers with their response size');
  if (!['v2', 'sdk1'].includes(values['legacy-client']))
    throw usageError(`--legacy-client is v2 or sdk1 (got "${values['legacy-client']}")`);
  return {
    durationS: num('duration', 1),
    sessions: Math.round(num('sessions', 1)),
    warmupS: num('warmup', 0),
    starts: Math.round(num('starts', 1)),
    rounds: Math.round(num('rounds', 1)),
    singleDurationS: num('single-duration', 1),
    settleS: num('settle', 0),
    lanes: LANE_KEYS.filter((k) => lanes.includes(k)),
    legacyClient: values['legacy-client'],
    sidecarMain: resolve(values['sidecar-main']),
    profile: values.profile,
  };
}

const log = (line = '') => process.stdout.write(line + '\n');

/** An error whose message says it all (no stack trace printed). */
function usageError(message) {
  return Object.assign(new Error(message), { expected: true });
}

// ---------------------------------------------------------------------------------------------
// Setup

function newestMtime(dir, suffix) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix))
      newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

function checkPrerequisites(main) {
  if (!existsSync(main)) throw usageError(`${relative(REPO, main)} is missing: run npm run build first`);
  if (!existsSync(EVERYTHING_MAIN))
    throw usageError(
      '@modelcontextprotocol/server-everything is not installed: run npm install (it is a devDependency)',
    );
  if (
    main === SIDECAR_MAIN &&
    newestMtime(join(REPO, 'server'), '.ts') > newestMtime(join(REPO, 'dist/server'), '.js')
  ) {
    log('WARNING: server/ has sources newer than dist/; the bench runs the old build (run npm run build).');
  }
}

/** The previous run's headline figures (bench/results/mcp-calls.json), to compare with; null if none. */
function previousRun() {
  try {
    const prev = JSON.parse(readFileSync(RESULTS, 'utf8'));
    return {
      date: prev.date,
      revision: prev.revision ?? null,
      idleRssMb: prev.startup?.unraidMcp?.idleRssMbMedian ?? null,
      readyMs: prev.startup?.unraidMcp?.readyMsMedian ?? null,
    };
  } catch {
    return null;
  }
}

/** The repo's fixtures when they exist, else the live host (system_overview works on plain Linux). */
function pickHostRoots(emptyDir) {
  const fixtures = {
    procRoot: join(REPO, 'testdata/proc'),
    sysRoot: join(REPO, 'testdata/sys'),
    emhttpRoot: join(REPO, 'testdata/emhttp/parity-check-running'),
  };
  if (Object.values(fixtures).every((p) => existsSync(p)))
    return { source: 'testdata fixtures', ...fixtures };
  return {
    source: 'live host (/proc, /sys; testdata fixtures not found, empty emhttp dir)',
    procRoot: '/proc',
    sysRoot: '/sys',
    emhttpRoot: emptyDir,
  };
}

/** Dirs, a settings file that lets all sessions in, and a read token. Returns env and secret. */
async function prepareSidecar(work, roots, sessions, main) {
  mkdirSync(join(work, 'emhttp-empty'), { recursive: true });
  const perToken = Math.min(1000, Math.max(64, sessions + 8));
  const total = Math.min(1000, Math.max(128, perToken * 2));
  const env = sidecarEnv(work, {
    roots,
    cfg:
      `MAX_SESSIONS_PER_TOKEN="${perToken}"\nMAX_SESSIONS="${total}"\n` +
      // One token drives every client in a closed loop: lift the per-token rate and the global cap.
      'TOKEN_CALLS_PER_SECOND="10000"\nTOKEN_CALL_BURST="100000"\nMAX_CONCURRENT_CALLS="1000"\n',
  });
  const secret = await createBenchToken(env, 'bench', 'read', main);
  return { env, secret };
}

// ---------------------------------------------------------------------------------------------
// The servers

/** The built sidecar with its production V8 flags (bench/lib/sidecar.mjs); `nodeArgs` e.g. --cpu-prof. */
function sidecarLauncher(env, work, main, nodeArgs = () => []) {
  return (tag) =>
    startBuiltSidecar(env, work, { nodeArgs: nodeArgs(tag), logName: 'unraid-mcp.log', main }).then(
      (srv) => ({
        ...srv,
        url: srv.match[1],
        stopSignal: 'SIGTERM',
        mustExitZero: true,
      }),
    );
}

function everythingLauncher(work) {
  return async () => {
    const port = await freePort();
    const srv = await startServer({
      name: 'server-everything',
      command: process.execPath,
      args: [EVERYTHING_MAIN, 'streamableHttp'],
      env: { ...process.env, PORT: String(port) },
      cwd: REPO,
      readyOn: 'stderr', // it logs every request to stdout, which goes to its log file
      readyPattern: /listening on port (\d+)/,
      logPath: join(work, 'server-everything.log'),
    });
    // SIGINT: its only shutdown handler (SIGTERM would kill it without a clean exit).
    return { ...srv, url: `http://127.0.0.1:${port}/mcp`, stopSignal: 'SIGINT', mustExitZero: false };
  };
}

function bareHttpLauncher(work, payloadBytes) {
  return () =>
    startServer({
      name: 'bare-http',
      command: process.execPath,
      args: [BARE_HTTP, String(payloadBytes)],
      env: process.env,
      cwd: REPO,
      readyOn: 'stdout',
      readyPattern: /ready on port (\d+)/,
      logPath: join(work, 'bare-http.log'),
    }).then((srv) => ({
      ...srv,
      url: `http://127.0.0.1:${srv.match[1]}/mcp`,
      stopSignal: 'SIGTERM',
      mustExitZero: true,
    }));
}

/** Stops a server and turns an unexpected exit into a problem line. */
async function stopServer(srv, problems) {
  const exit = await srv.stop(srv.stopSignal);
  if (exit.killed) problems.push(`${srv.name} did not exit within 10 s of ${srv.stopSignal}; killed`);
  else if (srv.mustExitZero && exit.code !== 0)
    problems.push(`${srv.name} exited with code ${exit.code} signal ${exit.signal} after ${srv.stopSignal}`);
  return { code: exit.code, signal: exit.signal, stopMs: round(exit.ms, 1), killed: exit.killed };
}

/**
 * The lanes: which server, which client, which tool. `client` is a bench/lib/load.mjs client kind;
 * `era` is what the probe must have negotiated (a 2025 revision, or exactly 2026-07-28).
 */
function defineLanes(opts, launch) {
  const legacyClient = opts.legacyClient === 'sdk1' ? 'sdk1' : 'v2-legacy';
  return {
    legacy: {
      key: 'legacy',
      label: 'unraid-mcp 2025 (legacy)',
      launch: launch.sidecar,
      client: legacyClient,
      era: 'legacy',
      tool: TOOL,
      args: {},
      auth: true,
    },
    modern: {
      key: 'modern',
      label: `unraid-mcp ${MODERN_REVISION} (modern)`,
      launch: launch.sidecar,
      client: 'v2-modern',
      era: 'modern',
      tool: TOOL,
      args: {},
      auth: true,
    },
    everything: {
      key: 'everything',
      label: 'server-everything echo (2025)',
      launch: launch.everything,
      client: legacyClient,
      era: 'legacy',
      tool: 'echo',
      args: { message: 'bench' },
      auth: false,
    },
    bare: { key: 'bare', label: 'bare node:http (ceiling)', launch: null, client: 'fetch', era: null },
  };
}

// ---------------------------------------------------------------------------------------------
// Phases

/**
 * Fresh process per start: time to ready, VmRSS 1 s after ready (start-up garbage still in the heap),
 * VmRSS once idle (12 s after ready: V8's memory reducer returns start-up garbage after a few idle
 * seconds — this is what the process holds while it waits for clients), clean exit.
 */
const SETTLE_MS = 12_000;
async function measureStartups(launch, count, label, problems) {
  const runs = [];
  for (let i = 1; i <= count; i++) {
    const srv = await launch(`startup-${i}`);
    await sleep(1000);
    const rss1sKb = readRssKb(srv.pid);
    await sleep(SETTLE_MS - 1000);
    const idleRssKb = readRssKb(srv.pid);
    const exit = await stopServer(srv, problems);
    runs.push({ readyMs: round(srv.readyMs, 1), rss1sKb, idleRssKb, exit });
    log(
      `  ${label} start ${i}/${count}: ready ${round(srv.readyMs, 0)} ms, RSS 1 s after ready ${kbToMb(rss1sKb)} MB, idle RSS ${kbToMb(idleRssKb)} MB, exit ${exit.code ?? exit.signal}`,
    );
  }
  return {
    runs,
    readyMsMedian: round(median(runs.map((r) => r.readyMs)), 1),
    rss1sMbMedian: kbToMb(median(runs.map((r) => r.rss1sKb))),
    idleRssMbMedian: kbToMb(median(runs.map((r) => r.idleRssKb))),
  };
}

/** fetch that remembers the size of every tools/call response body (SSE framing included). */
function sizeRecordingFetch() {
  const toolCallBodies = [];
  const wrapped = async (input, init) => {
    const res = await fetch(input, init);
    if (init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('"tools/call"')) {
      toolCallBodies.push(
        res
          .clone()
          .arrayBuffer()
          .then((b) => b.byteLength),
      );
    }
    return res;
  };
  return {
    fetch: wrapped,
    lastToolCallBytes: async () => (toolCallBodies.length ? await toolCallBodies.at(-1) : null),
  };
}

/** The protocol revision a connected client speaks (v2: negotiated; SDK 1.x: its transport's). */
function negotiatedRevision({ client, transport }) {
  return client.getNegotiatedProtocolVersion?.() ?? transport.protocolVersion ?? null;
}

/**
 * One client: check it negotiated the lane's era, that the tool is listed and works, and measure
 * one real response. Fails loudly when the server speaks another era than the lane claims.
 */
async function probeTool(srv, lane, headers) {
  const rec = sizeRecordingFetch();
  const { sessions } = await connectMcpClients(srv.url, {
    count: 1,
    headers,
    fetch: rec.fetch,
    client: lane.client,
  });
  try {
    const revision = negotiatedRevision(sessions[0]);
    const ok = lane.era === 'modern' ? revision === MODERN_REVISION : /^2025-/.test(revision ?? '');
    if (!ok)
      throw usageError(
        `${lane.label}: the client negotiated protocol revision ${revision ?? '(none)'}, not the lane's ${lane.era} era`,
      );
    const { client } = sessions[0];
    const { tools } = await client.listTools();
    if (!tools.some((t) => t.name === lane.tool)) {
      throw usageError(
        `${srv.name} does not list the tool "${lane.tool}" (it lists: ${tools.map((t) => t.name).join(', ') || 'nothing'}). Is the build current?`,
      );
    }
    await callToolOrThrow(client, lane.tool, lane.args).catch((err) => {
      throw new Error(
        `${lane.label}: one ${lane.tool} call failed before the load: ${err.text ?? err.message}`,
      );
    });
    return { revision, payloadBytes: await rec.lastToolCallBytes() };
  } finally {
    await closeMcpClients(sessions);
  }
}

/** Closed-loop tools/call over `count` fresh clients of the lane's kind; clients closed afterwards. */
async function mcpLoop(srv, lane, headers, count, durationS, opts, background) {
  const { sessions, background: bg } = await connectMcpClients(srv.url, {
    count,
    headers,
    client: lane.client,
  });
  const result = withCpuPerCall(
    await closedLoop(sessions, ({ client }) => callToolOrThrow(client, lane.tool, lane.args), {
      warmupMs: opts.warmupS * 1000,
      durationMs: durationS * 1000,
      meter: cpuMeter(srv.pid),
    }),
  );
  await closeMcpClients(sessions);
  for (const [k, n] of bg) background.set(k, (background.get(k) ?? 0) + n);
  return result;
}

/** Closed-loop POSTs with fetch (undici keep-alive pool) against the bare http ceiling. */
async function bareLoop(srv, payloadBytes, count, durationS, opts) {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: TOOL, arguments: {} },
  });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const post = async () => {
    const res = await fetch(srv.url, { method: 'POST', headers, body });
    const got = (await res.arrayBuffer()).byteLength;
    if (res.status !== 200 || got !== payloadBytes) throw new Error(`HTTP ${res.status}, ${got} bytes`);
  };
  const workers = Array.from({ length: count }, (_, i) => i);
  return withCpuPerCall(
    await closedLoop(workers, post, {
      warmupMs: opts.warmupS * 1000,
      durationMs: durationS * 1000,
      meter: cpuMeter(srv.pid),
    }),
  );
}

/**
 * One lane against a fresh server process: idle RSS, the probe call, `--sessions` clients, then one
 * client alone, then RSS once the clients are gone and the process has idled again.
 */
async function runLane(lane, { auth, work, opts, problems, payload, round: n }) {
  const srv =
    lane.key === 'bare'
      ? await bareHttpLauncher(work, payload.bytes)()
      : await lane.launch(`${lane.key}-r${n}`);
  const headers = lane.auth ? auth : {};
  await sleep(opts.settleS * 1000);
  const idleKb = readRssKb(srv.pid);
  let probe = { revision: null, payloadBytes: payload.bytes };
  if (lane.key !== 'bare') probe = await probeTool(srv, lane, headers);
  const afterFirstCallKb = readRssKb(srv.pid);

  const rss = startRssSampler(srv.pid);
  const background = new Map();
  const loop = (count, durationS) =>
    lane.key === 'bare'
      ? bareLoop(srv, payload.bytes, count, durationS, opts)
      : mcpLoop(srv, lane, headers, count, durationS, opts, background);
  const concurrent = await loop(opts.sessions, opts.durationS);
  const single = await loop(1, opts.singleDurationS);
  const { peakKb } = rss.stop();

  await sleep(opts.settleS * 1000);
  const afterLoadKb = readRssKb(srv.pid);
  const serverCounters = lane.launch?.isSidecar ? await sidecarCounters(srv.url, headers) : undefined;
  const exit = await stopServer(srv, problems);
  return {
    lane: lane.key,
    label: lane.label,
    client: lane.client,
    server: srv.name,
    tool: lane.tool ?? null,
    revision: probe.revision,
    payloadBytes: probe.payloadBytes,
    readyMs: round(srv.readyMs, 1),
    concurrent,
    single,
    rss: {
      idleMb: kbToMb(idleKb),
      afterFirstCallMb: kbToMb(afterFirstCallKb),
      peakMb: kbToMb(peakKb),
      afterLoadMb: kbToMb(afterLoadKb),
    },
    backgroundErrors: Object.fromEntries(background),
    ...(serverCounters ? { serverCounters } : {}),
    exit,
  };
}

/** One round: every lane in turn, legacy and modern swapping places every other round. */
async function runRound(lanes, ctx) {
  const order = [...ctx.opts.lanes];
  const [i, j] = [order.indexOf('legacy'), order.indexOf('modern')];
  if (ctx.round % 2 === 0 && i >= 0 && j >= 0) [order[i], order[j]] = [order[j], order[i]];
  const of = ctx.opts.rounds > 1 ? ` (round ${ctx.round}/${ctx.opts.rounds})` : '';
  const out = {};
  for (const key of order) {
    const lane = lanes[key];
    log(`\n[load] ${lane.label}${of}`);
    const r = await runLane(lane, ctx);
    if (!ctx.payload.bytes && r.payloadBytes && key === 'legacy') ctx.payload.bytes = r.payloadBytes;
    if (!ctx.payload.bytes && r.payloadBytes && key === 'modern') ctx.payload.bytes = r.payloadBytes;
    const c = r.concurrent;
    log(
      `  ${ctx.opts.sessions} clients: ${c.callsPerSec} calls/s, p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms, errors ${c.errors}, server CPU ${c.serverCpuMsPerCall} ms/call`,
    );
    log(
      `  1 client: ${r.single.callsPerSec} calls/s, p50 ${r.single.p50Ms} ms, p99 ${r.single.p99Ms} ms, errors ${r.single.errors}`,
    );
    log(
      `  RSS: idle ${r.rss.idleMb} MB, after first call ${r.rss.afterFirstCallMb} MB, peak ${r.rss.peakMb} MB, after load ${r.rss.afterLoadMb} MB` +
        (r.revision ? `; revision ${r.revision}, response ${r.payloadBytes} bytes` : ''),
    );
    out[key] = r;
  }
  return out;
}

/** Medians of a closed loop's rates, latencies and CPU over rounds; errors summed. */
function summarizeLoops(list) {
  const med = (key, digits) => round(median(list.map((r) => r[key])), digits);
  const kinds = {};
  for (const r of list)
    for (const [k, n] of Object.entries(r.errorKinds ?? {})) kinds[k] = (kinds[k] ?? 0) + n;
  return {
    workers: list[0].workers,
    callsPerSec: med('callsPerSec', 1),
    p50Ms: med('p50Ms', 2),
    p90Ms: med('p90Ms', 2),
    p99Ms: med('p99Ms', 2),
    serverCpuMsPerCall: med('serverCpuMsPerCall', 3),
    generatorCpuPct: med('generatorCpuPct', 0),
    errors: list.reduce((n, r) => n + r.errors, 0),
    errorKinds: kinds,
  };
}

/**
 * One result per lane from several rounds: medians of rates, latencies and RSS readings, the highest
 * peak RSS, errors summed. With one round it is that round.
 */
function summarizeLane(list) {
  if (list.length === 1) return list[0];
  const med = (get) => round(median(list.map(get)), 1);
  const background = {};
  for (const r of list)
    for (const [k, n] of Object.entries(r.backgroundErrors ?? {})) background[k] = (background[k] ?? 0) + n;
  const { lane, label, client, server, tool, revision, payloadBytes } = list[0];
  return {
    lane,
    label,
    client,
    server,
    tool,
    revision,
    payloadBytes,
    readyMs: med((r) => r.readyMs),
    concurrent: summarizeLoops(list.map((r) => r.concurrent)),
    single: summarizeLoops(list.map((r) => r.single)),
    rss: {
      idleMb: med((r) => r.rss.idleMb),
      afterFirstCallMb: med((r) => r.rss.afterFirstCallMb),
      peakMb: Math.max(...list.map((r) => r.rss.peakMb ?? 0)),
      afterLoadMb: med((r) => r.rss.afterLoadMb),
    },
    backgroundErrors: background,
    serverCounters: list.at(-1).serverCounters,
    rounds: list,
  };
}

/** Server CPU per call: less noisy than throughput when the load generator shares the cores. */
function withCpuPerCall(result) {
  const { serverCpuMs, generatorCpuPct, ...rest } = result;
  return {
    ...rest,
    serverCpuMsPerCall: serverCpuMs && result.calls ? round(serverCpuMs / result.calls, 3) : null,
    serverCpuMs: round(serverCpuMs, 0),
    generatorCpuPct: round(generatorCpuPct, 0),
  };
}

/** Tool-call outcomes and HTTP rejections as the sidecar itself counted them (/metrics). */
async function sidecarCounters(mcpUrl, headers) {
  try {
    const res = await fetch(new URL('/metrics', mcpUrl), { headers });
    if (!res.ok) return { error: `HTTP ${res.status}` };
    const counters = {};
    for (const line of (await res.text()).split('\n')) {
      const m = /^(unraid_mcp_tool_calls_total|unraid_mcp_http_rejected_total)\{([^}]*)\}\s+(\S+)/.exec(line);
      if (m) counters[`${m[1]}{${m[2]}}`] = Number(m[3]);
    }
    return counters;
  } catch (err) {
    return { error: err.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : null);

function printLoadTable(load, opts) {
  const rows = opts.lanes.map((k) => load[k]);
  log(
    formatTable(
      [
        'lane',
        `calls/s @${opts.sessions}`,
        'p50 ms',
        'p99 ms',
        '1-client p50 ms',
        '1-client calls/s',
        'errors',
        'vs legacy',
        'vs everything',
        'vs bare http',
        'server CPU ms/call',
        'loadgen CPU %',
      ],
      rows.map((r) => [
        r.label,
        r.concurrent.callsPerSec,
        r.concurrent.p50Ms,
        r.concurrent.p99Ms,
        r.single.p50Ms,
        r.single.callsPerSec,
        r.concurrent.errors + r.single.errors,
        ratio(r.concurrent.callsPerSec, load.legacy?.concurrent.callsPerSec),
        ratio(r.concurrent.callsPerSec, load.everything?.concurrent.callsPerSec),
        ratio(r.concurrent.callsPerSec, load.bare?.concurrent.callsPerSec),
        r.concurrent.serverCpuMsPerCall,
        r.concurrent.generatorCpuPct,
      ]),
    ),
  );
}

function printMemoryTable(load, opts) {
  log(
    formatTable(
      ['lane', 'ready ms', 'idle (before load)', 'after 1st call', 'peak under load', 'after load (settled)'],
      opts.lanes.map((k) => {
        const r = load[k];
        return [r.label, r.readyMs, r.rss.idleMb, r.rss.afterFirstCallMb, r.rss.peakMb, r.rss.afterLoadMb];
      }),
    ),
  );
}

/** Modern over legacy, metric by metric (null when either lane did not run). */
function eraComparison(load) {
  const { legacy, modern } = load;
  if (!legacy || !modern) return null;
  const row = (metric, get, better) => {
    const l = get(legacy);
    const m = get(modern);
    return { metric, legacy: l, modern: m, ratio: l && m ? round(m / l, 2) : null, better };
  };
  return [
    row('calls/s, concurrent', (r) => r.concurrent.callsPerSec, 'higher'),
    row('p50 ms, concurrent', (r) => r.concurrent.p50Ms, 'lower'),
    row('p99 ms, concurrent', (r) => r.concurrent.p99Ms, 'lower'),
    row('p50 ms, one client', (r) => r.single.p50Ms, 'lower'),
    row('server CPU ms/call, concurrent', (r) => r.concurrent.serverCpuMsPerCall, 'lower'),
    row('server CPU ms/call, one client', (r) => r.single.serverCpuMsPerCall, 'lower'),
    row('RSS after 1st call MB', (r) => r.rss.afterFirstCallMb, 'lower'),
    row('peak RSS MB', (r) => r.rss.peakMb, 'lower'),
    row('RSS after load MB', (r) => r.rss.afterLoadMb, 'lower'),
  ];
}

function evaluateTargets(load, startup, previous) {
  const verdict = (ok) => (ok ? 'PASS' : 'MISS');
  const out = [];
  if (load.legacy && load.modern) {
    const v = load.modern.concurrent.callsPerSec / load.legacy.concurrent.callsPerSec;
    out.push({
      metric: 'throughput modern vs legacy',
      value: `${v.toFixed(2)}x`,
      target: `>= ${TARGETS.modernVsLegacy.toFixed(2)}x`,
      result: verdict(v >= TARGETS.modernVsLegacy),
    });
  }
  if (load.legacy && load.modern) {
    const cpu = load.modern.concurrent.serverCpuMsPerCall / load.legacy.concurrent.serverCpuMsPerCall;
    out.push({
      metric: 'server CPU/call modern vs legacy',
      value: `${cpu.toFixed(2)}x`,
      target: 'steadier than calls/s',
      result: 'info',
    });
  }
  for (const key of ['legacy', 'modern']) {
    if (!load[key] || !load.everything) continue;
    const v = load[key].concurrent.callsPerSec / load.everything.concurrent.callsPerSec;
    out.push({
      metric: `throughput ${key} vs server-everything`,
      value: `${v.toFixed(2)}x`,
      target: `>= ${TARGETS.throughputVsEverything.toFixed(2)}x`,
      result: verdict(v >= TARGETS.throughputVsEverything),
    });
  }
  out.push(
    {
      metric: 'time to ready (median)',
      value: `${startup.unraidMcp.readyMsMedian} ms`,
      target: `<= ${TARGETS.readyMs} ms`,
      result: verdict(startup.unraidMcp.readyMsMedian <= TARGETS.readyMs),
    },
    {
      metric: 'idle RSS, settled (median)',
      value: `${startup.unraidMcp.idleRssMbMedian} MB`,
      target: `<= ${TARGETS.idleRssMb} MB`,
      result: verdict(startup.unraidMcp.idleRssMbMedian <= TARGETS.idleRssMb),
    },
  );
  if (previous?.idleRssMb)
    out.push({
      metric: 'idle RSS vs the previous run',
      value: `${startup.unraidMcp.idleRssMbMedian} MB vs ${previous.idleRssMb} MB`,
      target: `previous: ${previous.date?.slice(0, 16) ?? '?'}${previous.revision ? ` @${previous.revision.commit}${previous.revision.serverDirty ? '+' : ''}` : ''}`,
      result: 'info',
    });
  out.push({
    metric: 'RSS 1 s after ready (median)',
    value: `${startup.unraidMcp.rss1sMbMedian} MB`,
    target: '-',
    result: 'info',
  });
  return out;
}

function printWarnings(load, sidecarLog, problems) {
  for (const r of Object.values(load)) {
    const errors = r.concurrent.errors + r.single.errors;
    if (errors > 0)
      log(
        `WARNING: ${r.label}: ${errors} failed calls, so this run is not valid. Kinds: ${JSON.stringify({ ...r.concurrent.errorKinds, ...r.single.errorKinds })}`,
      );
    if (r.backgroundErrors && Object.keys(r.backgroundErrors).length)
      log(`NOTE: ${r.label}: background transport errors: ${JSON.stringify(r.backgroundErrors)}`);
  }
  if (Object.keys(sidecarLog).length)
    log(`NOTE: unraid-mcp logged warnings/errors: ${JSON.stringify(sidecarLog)}`);
  for (const p of problems) log(`WARNING: ${p}`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  installCleanupHandlers();
  const opts = parseOptions();
  const machine = machineInfo();
  // Another build (--sidecar-main) has no commit this checkout can name.
  const revision = opts.sidecarMain === SIDECAR_MAIN ? sourceRevision() : null;
  const previous = previousRun();
  log(
    `mcp-calls bench: lanes ${opts.lanes.join(', ')}; ${opts.sessions} clients, ${opts.warmupS} s warm-up + ${opts.durationS} s measured, then 1 client for ${opts.singleDurationS} s; ${opts.rounds} round(s), ${opts.starts} starts, settle ${opts.settleS} s`,
  );
  log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load avg ${machine.loadAvgAtStart.join(' ')}` +
      (revision
        ? `; build of ${revision.commit}${revision.serverDirty ? ' (server/ has uncommitted changes)' : ''}`
        : ''),
  );
  if (machine.loadAvgAtStart[0] >= 0.5 * machine.cores)
    log('NOTE: the machine is busy (load avg); expect noisy numbers, or use --rounds 3.');
  checkPrerequisites(opts.sidecarMain);
  if (opts.sidecarMain !== SIDECAR_MAIN)
    log(`sidecar build: ${opts.sidecarMain} (not this checkout's dist/)`);
  const work = makeTempDir('unraid-mcp-bench-');
  const roots = pickHostRoots(join(work, 'emhttp-empty'));
  const problems = [];

  log(
    `host data: ${roots.source}; 2025-era lanes use the ${opts.legacyClient === 'sdk1' ? 'SDK 1.x' : 'v2'} client`,
  );
  const { env, secret } = await prepareSidecar(work, roots, opts.sessions, opts.sidecarMain);
  const auth = { Authorization: `Bearer ${secret}` };
  const sidecar = sidecarLauncher(env, work, opts.sidecarMain);
  const everything = everythingLauncher(work);

  log('\n[startup]');
  const startup = {
    unraidMcp: await measureStartups(sidecar, opts.starts, 'unraid-mcp', problems),
    ...(opts.lanes.includes('everything') && {
      everything: await measureStartups(everything, opts.starts, 'server-everything', problems),
    }),
  };

  if (opts.profile) mkdirSync(PROFILES, { recursive: true });
  const loadSidecar = opts.profile
    ? sidecarLauncher(env, work, opts.sidecarMain, (tag) => [
        '--cpu-prof',
        `--cpu-prof-dir=${PROFILES}`,
        `--cpu-prof-name=${tag}.cpuprofile`,
      ])
    : sidecar;
  loadSidecar.isSidecar = true;
  if (opts.profile)
    log(
      `\n--profile: the sidecar lanes run with --cpu-prof (slower, more memory); profiles go to ${relative(process.cwd(), PROFILES)}/<lane>-r<round>.cpuprofile`,
    );
  const lanes = defineLanes(opts, { sidecar: loadSidecar, everything });
  const ctx = { auth, work, opts, problems, payload: { bytes: null } };
  const rounds = [];
  for (let n = 1; n <= opts.rounds; n++) rounds.push(await runRound(lanes, { ...ctx, round: n }));
  const load = Object.fromEntries(opts.lanes.map((k) => [k, summarizeLane(rounds.map((r) => r[k]))]));
  const sidecarLog = sidecarLogProblems(join(work, 'unraid-mcp.log')); // all its starts and loads
  const comparison = eraComparison(load);
  const targets = evaluateTargets(load, startup, previous);

  const ofRounds = opts.rounds > 1 ? `; medians of ${opts.rounds} rounds` : '';
  log(
    `\nThroughput at ${opts.sessions} concurrent clients (closed loop, ${opts.durationS} s after ${opts.warmupS} s warm-up) and one client alone (${opts.singleDurationS} s)${ofRounds}`,
  );
  printLoadTable(load, opts);
  log(`\nMemory per lane process (VmRSS, MB; idle and after load read after ${opts.settleS} s idle)`);
  printMemoryTable(load, opts);
  if (comparison) {
    log('\nModern ÷ legacy (unraid-mcp, same build, same tool, same client library)');
    log(
      formatTable(
        ['metric', 'legacy', 'modern', 'modern/legacy', 'better'],
        comparison.map((c) => [
          c.metric,
          c.legacy,
          c.modern,
          c.ratio === null ? null : `${c.ratio}x`,
          c.better,
        ]),
      ),
    );
  }
  const alongside = startup.everything
    ? `; server-everything for comparison: ready ${startup.everything.readyMsMedian} ms, idle RSS ${startup.everything.idleRssMbMedian} MB`
    : '';
  log(`\nunraid-mcp footprint (${opts.starts} starts${alongside})`);
  log(
    formatTable(
      ['metric', 'value', 'target', 'result'],
      targets.map((t) => [t.metric, t.value, t.target, t.result]),
    ),
  );
  for (const key of ['legacy', 'modern'])
    if (load[key])
      log(
        `\nserver-side counters, ${load[key].label} (/metrics): ${JSON.stringify(load[key].serverCounters)}`,
      );
  printWarnings(load, sidecarLog, problems);

  machine.loadAvgAtEnd = loadavg().map((x) => round(x, 2));
  const results = {
    date: new Date().toISOString(),
    revision,
    options: opts,
    machine,
    hostData: roots,
    startup,
    load,
    modernVsLegacy: comparison,
    targets,
    previousRun: previous,
    sidecarLogProblems: sidecarLog,
    problems,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
  log(`\nwrote ${relative(process.cwd(), RESULTS) || RESULTS}`);
}

runBench('mcp-calls', main);
