#!/usr/bin/env node
// Benchmark: MCP tool calls per second through unraid-mcp, next to two yardsticks.
//
// Method
// - Every server under test runs as its own child process, so no server shares an event loop with
//   the load generator (this process). On a small machine they still share the CPU cores; that is
//   the same for all three, so the ratios are the numbers to read.
// - Startup: the sidecar is spawned `--starts` times (fresh process each); time to ready is spawn() →
//   its ready line on stdout; RSS is read 1 s later and again once idle (12 s). Medians are reported.
// - Load is closed-loop: `--sessions` MCP sessions (one SDK Client each) each send tools/call, wait
//   for the answer and send the next, for `--warmup` s (discarded) and then `--duration` s (measured).
//   Throughput is the number of calls that completed in the window divided by its length.
// - Yardsticks: @modelcontextprotocol/server-everything's `echo` tool (the same SDK, a trivial tool)
//   and a bare node:http server answering every POST with as many bytes as our real response
//   (the most a Node HTTP server can do here; MCP framing, sessions and the tool cost the rest).
//
// Usage: npm run build && npm run bench:mcp-calls [-- --duration 10 --sessions 50 --warmup 2 --starts 5 --rounds 1]
//        add --profile to write a V8 CPU profile of the sidecar's load run to bench/results/profiles/
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cleanupAll,
  runBench,
  freePort,
  installCleanupHandlers,
  makeTempDir,
  runToCompletion,
  startServer,
} from './lib/children.mjs';
import { callToolOrThrow, closedLoop, closeMcpClients, connectMcpClients } from './lib/load.mjs';
import { cpuMeter, machineInfo, readRssKb, startRssSampler } from './lib/proc.mjs';
import { formatTable, kbToMb, median, round } from './lib/stats.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIDECAR_MAIN = join(REPO, 'dist/server/main.js');
const EVERYTHING_MAIN = join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const BARE_HTTP = join(REPO, 'bench/lib/bare-http-server.mjs');
const RESULTS = join(REPO, 'bench/results/mcp-calls.json');
const PROFILES = join(REPO, 'bench/results/profiles');
const TOOL = 'system_overview';
const TARGETS = { throughputVsEverything: 1.0, idleRssMb: 70, readyMs: 600 };

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      sessions: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '2' },
      starts: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '1' },
      profile: { type: 'boolean', default: false },
    },
  });
  const num = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min)
      throw usageError(`--${name} must be a number ≥ ${min} (got "${values[name]}")`);
    return n;
  };
  return {
    durationS: num('duration', 1),
    sessions: Math.round(num('sessions', 1)),
    warmupS: num('warmup', 0),
    starts: Math.round(num('starts', 1)),
    rounds: Math.round(num('rounds', 1)),
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

function checkPrerequisites() {
  if (!existsSync(SIDECAR_MAIN))
    throw usageError(`${relative(REPO, SIDECAR_MAIN)} is missing: run npm run build first`);
  if (!existsSync(EVERYTHING_MAIN))
    throw usageError(
      '@modelcontextprotocol/server-everything is not installed: run npm install (it is a devDependency)',
    );
  if (newestMtime(join(REPO, 'server'), '.ts') > newestMtime(join(REPO, 'dist/server'), '.js')) {
    log('WARNING: server/ has sources newer than dist/; the bench runs the old build (run npm run build).');
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
async function prepareSidecar(work, roots, sessions) {
  for (const d of ['c', 's', 'a', 'emhttp-empty']) mkdirSync(join(work, d), { recursive: true });
  const perToken = Math.min(1000, Math.max(64, sessions + 8));
  const total = Math.min(1000, Math.max(128, perToken * 2));
  writeFileSync(
    join(work, 'c/unraid-mcp.cfg'),
    `MAX_SESSIONS_PER_TOKEN="${perToken}"\nMAX_SESSIONS="${total}"\n` +
      // One token drives every session in a closed loop: lift the per-token rate and the global cap.
      'TOKEN_CALLS_PER_SECOND="10000"\nTOKEN_CALL_BURST="100000"\nMAX_CONCURRENT_CALLS="1000"\n',
  );
  const env = {
    ...process.env,
    UNRAID_MCP_CONFIG_DIR: join(work, 'c'),
    UNRAID_MCP_STATE_DIR: join(work, 's'),
    UNRAID_MCP_AUDIT_DIR: join(work, 'a'),
    UNRAID_MCP_HOST: '127.0.0.1',
    UNRAID_MCP_PORT: '0',
    UNRAID_MCP_PROC_ROOT: roots.procRoot,
    UNRAID_MCP_SYS_ROOT: roots.sysRoot,
    UNRAID_MCP_EMHTTP_ROOT: roots.emhttpRoot,
    DOCKER_HOST: `unix://${join(work, 'none.sock')}`,
    LIBVIRT_URI: 'test:///default',
    UNRAID_MCP_ADMIN_SOCKET: join(work, 'admin.sock'),
    UNRAID_MCP_AUDIT_RAM_DIR: join(work, 'a-ram'),
    UNRAID_MCP_AUDIT_PERSISTENT_DIR: join(work, 'a'),
  };
  const out = await runToCompletion(
    process.execPath,
    [SIDECAR_MAIN, 'token', 'create', '--name', 'bench', '--scope', 'read'],
    { env, cwd: REPO },
  );
  const secret = out.trim().split('\n').at(-1)?.trim();
  if (!secret) throw new Error(`token create printed no secret:\n${out}`);
  return { env, secret };
}

// ---------------------------------------------------------------------------------------------
// The three servers

// Start the sidecar with the same V8 flags its launcher uses in production (package.json unraidMcp.nodeFlags).
const PRODUCTION_NODE_FLAGS = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  .unraidMcp.nodeFlags.split(' ')
  .filter(Boolean);

function sidecarLauncher(env, work, nodeArgs = []) {
  return () =>
    startServer({
      name: 'unraid-mcp',
      command: process.execPath,
      args: [...PRODUCTION_NODE_FLAGS, ...nodeArgs, SIDECAR_MAIN, 'serve'],
      env,
      cwd: REPO,
      readyOn: 'stdout',
      readyPattern: /unraid-mcp ready: MCP URL (http:\/\/\S+)/,
      logPath: join(work, 'unraid-mcp.log'),
    }).then((srv) => ({ ...srv, url: srv.match[1], stopSignal: 'SIGTERM', mustExitZero: true }));
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
    const srv = await launch();
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

/** One session: check the tool is listed and works, and measure one real response. */
async function probeTool(srv, headers, tool, args) {
  const rec = sizeRecordingFetch();
  const { sessions } = await connectMcpClients(srv.url, { count: 1, headers, fetch: rec.fetch });
  try {
    const { client } = sessions[0];
    const { tools } = await client.listTools();
    if (!tools.some((t) => t.name === tool)) {
      throw usageError(
        `${srv.name} does not list the tool "${tool}" (it lists: ${tools.map((t) => t.name).join(', ') || 'nothing'}). Is the build current?`,
      );
    }
    await callToolOrThrow(client, tool, args).catch((err) => {
      throw new Error(`${srv.name}: one ${tool} call failed before the load: ${err.text ?? err.message}`);
    });
    return await rec.lastToolCallBytes();
  } finally {
    await closeMcpClients(sessions);
  }
}

/** Closed-loop tools/call load over `sessions` MCP sessions against a fresh server process. */
async function loadMcp(launch, { tool, args, headers = {}, opts, problems }) {
  const srv = await launch();
  const payloadBytes = await probeTool(srv, headers, tool, args);
  const rss = startRssSampler(srv.pid);
  const { sessions, background } = await connectMcpClients(srv.url, { count: opts.sessions, headers });
  const window = {
    warmupMs: opts.warmupS * 1000,
    durationMs: opts.durationS * 1000,
    meter: cpuMeter(srv.pid),
  };
  const result = withCpuPerCall(
    await closedLoop(sessions, ({ client }) => callToolOrThrow(client, tool, args), window),
  );
  const { peakKb } = rss.stop();
  await closeMcpClients(sessions);
  const extra = srv.name === 'unraid-mcp' ? { serverCounters: await sidecarCounters(srv.url, headers) } : {};
  const exit = await stopServer(srv, problems);
  return {
    server: srv.name,
    tool,
    payloadBytes,
    ...result,
    backgroundErrors: Object.fromEntries(background),
    peakRssMb: kbToMb(peakKb),
    ...extra,
    exit,
  };
}

/** Closed-loop POSTs with fetch (undici keep-alive pool) against the bare http ceiling. */
async function loadBareHttp(launch, { payloadBytes, opts, problems }) {
  const srv = await launch();
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
  const rss = startRssSampler(srv.pid);
  const workers = Array.from({ length: opts.sessions }, (_, i) => i);
  const window = {
    warmupMs: opts.warmupS * 1000,
    durationMs: opts.durationS * 1000,
    meter: cpuMeter(srv.pid),
  };
  const result = withCpuPerCall(await closedLoop(workers, post, window));
  const { peakKb } = rss.stop();
  const exit = await stopServer(srv, problems);
  return { server: srv.name, payloadBytes, ...result, peakRssMb: kbToMb(peakKb), exit };
}

/** One round of the three loads, each against a fresh server process. */
async function runLoadRound({ round, sidecar, everything, auth, work, opts, problems }) {
  const of = opts.rounds > 1 ? ` (round ${round}/${opts.rounds})` : '';
  const line = (r) =>
    `  ${r.callsPerSec} calls/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.errors}, server CPU ${r.serverCpuMsPerCall} ms/call`;
  log(`\n[2/4] load: unraid-mcp ${TOOL}${of}`);
  const unraidMcp = await loadMcp(sidecar, { tool: TOOL, args: {}, headers: auth, opts, problems });
  log(`${line(unraidMcp)}; response ${unraidMcp.payloadBytes} bytes`);
  log(`\n[3/4] load: server-everything echo${of}`);
  const everythingResult = await loadMcp(everything, {
    tool: 'echo',
    args: { message: 'bench' },
    opts,
    problems,
  });
  log(line(everythingResult));
  log(`\n[4/4] load: bare http, ${unraidMcp.payloadBytes}-byte response${of}`);
  const bareHttp = await loadBareHttp(bareHttpLauncher(work, unraidMcp.payloadBytes), {
    payloadBytes: unraidMcp.payloadBytes,
    opts,
    problems,
  });
  log(line(bareHttp));
  return { unraidMcp, everything: everythingResult, bareHttp };
}

/**
 * One result from several rounds: the median of each rate and latency, the sum of errors, the
 * highest peak RSS. With one round it is that round. Rounds interleave the three servers, so slow
 * moments on a shared machine hit all of them instead of one.
 */
function summarizeRounds(list) {
  if (list.length === 1) return list[0];
  const med = (key, digits) => round(median(list.map((r) => r[key])), digits);
  const sumKinds = (key) => {
    const out = {};
    for (const r of list) for (const [k, n] of Object.entries(r[key] ?? {})) out[k] = (out[k] ?? 0) + n;
    return out;
  };
  return {
    server: list[0].server,
    tool: list[0].tool,
    payloadBytes: list[0].payloadBytes,
    callsPerSec: med('callsPerSec', 1),
    p50Ms: med('p50Ms', 2),
    p90Ms: med('p90Ms', 2),
    p99Ms: med('p99Ms', 2),
    serverCpuMsPerCall: med('serverCpuMsPerCall', 3),
    generatorCpuPct: med('generatorCpuPct', 0),
    errors: list.reduce((n, r) => n + r.errors, 0),
    errorKinds: sumKinds('errorKinds'),
    backgroundErrors: sumKinds('backgroundErrors'),
    peakRssMb: Math.max(...list.map((r) => r.peakRssMb ?? 0)),
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

/** warn/error lines the sidecar logged (JSON lines on stderr), grouped by message. */
function sidecarLogProblems(logPath) {
  const kinds = {};
  let text = '';
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return kinds;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = { level: 'error', msg: `(not JSON) ${line.slice(0, 120)}` };
    }
    if (rec.level === 'warn' || rec.level === 'error')
      kinds[`${rec.level}: ${rec.msg}`] = (kinds[`${rec.level}: ${rec.msg}`] ?? 0) + 1;
  }
  return kinds;
}

// ---------------------------------------------------------------------------------------------
// Report

const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : null);

function printLoadTable(rows, everything, bare) {
  log(
    formatTable(
      [
        'server',
        'calls/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'vs everything',
        'vs bare http',
        'server CPU ms/call',
        'loadgen CPU %',
      ],
      rows.map((r) => [
        r.label,
        r.callsPerSec,
        r.p50Ms,
        r.p99Ms,
        r.errors,
        ratio(r.callsPerSec, everything.callsPerSec),
        ratio(r.callsPerSec, bare.callsPerSec),
        r.serverCpuMsPerCall,
        r.generatorCpuPct,
      ]),
    ),
  );
}

function evaluateTargets(load, startup) {
  const vsEverything = load.unraidMcp.callsPerSec / load.everything.callsPerSec;
  const verdict = (ok) => (ok ? 'PASS' : 'MISS');
  return [
    {
      metric: 'throughput vs server-everything',
      value: `${vsEverything.toFixed(2)}x`,
      target: `>= ${TARGETS.throughputVsEverything.toFixed(2)}x`,
      result: verdict(vsEverything >= TARGETS.throughputVsEverything),
    },
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
    {
      metric: 'RSS 1 s after ready (median)',
      value: `${startup.unraidMcp.rss1sMbMedian} MB`,
      target: '-',
      result: 'info',
    },
    { metric: 'peak RSS under load', value: `${load.unraidMcp.peakRssMb} MB`, target: '-', result: 'info' },
  ];
}

function printWarnings(load, sidecarLog, problems) {
  for (const r of Object.values(load)) {
    if (r.errors > 0)
      log(
        `WARNING: ${r.server}: ${r.errors} failed calls, so this run is not valid. Kinds: ${JSON.stringify(r.errorKinds)}`,
      );
    if (r.backgroundErrors && Object.keys(r.backgroundErrors).length)
      log(`NOTE: ${r.server}: background transport errors: ${JSON.stringify(r.backgroundErrors)}`);
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
  log(
    `mcp-calls bench: ${opts.sessions} sessions, ${opts.warmupS} s warm-up + ${opts.durationS} s measured, ${opts.rounds} round(s), ${opts.starts} starts`,
  );
  log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load avg ${machine.loadAvgAtStart.join(' ')}`,
  );
  if (machine.loadAvgAtStart[0] >= 0.5 * machine.cores)
    log('NOTE: the machine is busy (load avg); expect noisy numbers, or use --rounds 3.');
  checkPrerequisites();
  const work = makeTempDir('unraid-mcp-bench-');
  const roots = pickHostRoots(join(work, 'emhttp-empty'));
  const problems = [];

  log(`host data: ${roots.source}`);
  const { env, secret } = await prepareSidecar(work, roots, opts.sessions);
  const auth = { Authorization: `Bearer ${secret}` };
  const sidecar = sidecarLauncher(env, work);
  const everything = everythingLauncher(work);

  log('\n[1/4] startup');
  const startup = {
    unraidMcp: await measureStartups(sidecar, opts.starts, 'unraid-mcp', problems),
    everything: await measureStartups(everything, opts.starts, 'server-everything', problems),
  };

  const profiled = opts.profile
    ? sidecarLauncher(env, work, ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`])
    : sidecar;
  if (opts.profile)
    log(
      `\n--profile: the sidecar runs with --cpu-prof (slower); profiles go to ${relative(process.cwd(), PROFILES)}/`,
    );
  const rounds = [];
  for (let round = 1; round <= opts.rounds; round++) {
    rounds.push(await runLoadRound({ round, sidecar: profiled, everything, auth, work, opts, problems }));
  }
  const load = {
    unraidMcp: summarizeRounds(rounds.map((r) => r.unraidMcp)),
    everything: summarizeRounds(rounds.map((r) => r.everything)),
    bareHttp: summarizeRounds(rounds.map((r) => r.bareHttp)),
  };
  const sidecarLog = sidecarLogProblems(join(work, 'unraid-mcp.log')); // all its starts and loads
  const targets = evaluateTargets(load, startup);

  const ofRounds = opts.rounds > 1 ? `; medians of ${opts.rounds} rounds` : '';
  log(
    `\nThroughput, ${opts.sessions} concurrent sessions, closed loop, ${opts.durationS} s after ${opts.warmupS} s warm-up${ofRounds}`,
  );
  printLoadTable(
    [
      { label: `unraid-mcp (${TOOL})`, ...load.unraidMcp },
      { label: 'server-everything (echo)', ...load.everything },
      { label: 'bare http (ceiling)', ...load.bareHttp },
    ],
    load.everything,
    load.bareHttp,
  );
  log(
    `\nunraid-mcp footprint (${opts.starts} starts; server-everything for comparison: ready ${startup.everything.readyMsMedian} ms, idle RSS ${startup.everything.idleRssMbMedian} MB, peak under load ${load.everything.peakRssMb} MB)`,
  );
  log(
    formatTable(
      ['metric', 'value', 'target', 'result'],
      targets.map((t) => [t.metric, t.value, t.target, t.result]),
    ),
  );
  log(`\nserver-side counters (unraid-mcp /metrics): ${JSON.stringify(load.unraidMcp.serverCounters)}`);
  printWarnings(load, sidecarLog, problems);

  machine.loadAvgAtEnd = loadavg().map((x) => round(x, 2));
  const results = {
    date: new Date().toISOString(),
    options: opts,
    machine,
    hostData: roots,
    startup,
    load,
    targets,
    sidecarLogProblems: sidecarLog,
    problems,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
  log(`\nwrote ${relative(process.cwd(), RESULTS) || RESULTS}`);
}

runBench('mcp-calls', main);
