#!/usr/bin/env node
// Runs the MCP conformance suite's server scenarios against a running unraid-mcp sidecar and prints
// one line per scenario: pass, fail, skipped (the suite made no pass/fail check), error (no result),
// or n/a (listed in an --expect file, with the reason it cannot apply to this server).
//
//   UNRAID_MCP_TOKEN=umcp_… node scripts/conformance.mjs --url http://127.0.0.1:8765/mcp \
//     [--suite 2025|2026|all] [--isolate] [--scenario NAME]… [--json results.json] [--expect expected.json]
//
// Two suites, two pinned versions of @modelcontextprotocol/conformance (devDependencies under two
// aliases, because both have the same package name):
//   2025  0.1.16          every server scenario it has (`server --suite all`), on the 2025 wire:
//                         initialize, Mcp-Session-Id
//   2026  0.2.0-alpha.12  its 2026-07-28 requirement set (`server --requirements 2026-07-28`): the
//                         scored scenarios and the ones it runs without scoring (extensions,
//                         pending), on the stateless 2026-07-28 wire
// Both need Node >= 22 while the project runs on Node 20: see ensureNode22. `--print-node` prints the
// path of that binary (installing it first when needed) and exits.
//
// The suite cannot send an Authorization header, and the sidecar refuses tokens in URLs. So the suite
// talks to a small reverse proxy on 127.0.0.1 that forwards every request unchanged (Host and Origin
// included, so the DNS-rebinding scenario still meets the sidecar's own checks) and only sets
// "Authorization: Bearer <token>". The suite never sees the token.
//
// Sessions: 0.1.16 never ends the sessions it opens (about two per scenario), so a whole 2025 run
// needs a per-token session limit (MAX_SESSIONS_PER_TOKEN, 16 by default) of about 64; the proxy ends
// whatever is left with DELETE when the run is over. Against a server with the default limit, pass
// --isolate: one suite process per scenario (about 0.7 s each instead of about 2 s for a whole suite),
// its sessions ended as soon as it is done. --scenario always runs isolated.
//
// --expect FILE: {"2025": {"scenario": {"status": "fail", "reason": "…"}}, "2026": {…}}. A listed
// scenario with that status is shown as n/a with its reason; a listed one with another status (or
// missing from the suite), and an unlisted one that fails or errors, is unexpected. Exit code 1 when
// anything is unexpected (without --expect: when anything fails or errors), 2 on a usage error.

import { spawn } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Per-scenario time limit inside the suite, and for one whole suite process. */
const SCENARIO_TIMEOUT_MS = 20_000;
const SUITE_TIMEOUT_MS = 10 * 60_000;

export const SUITES = {
  2025: {
    alias: 'mcp-conformance-2025',
    version: '0.1.16',
    wire: '2025-11-25 (initialize, Mcp-Session-Id)',
    list: ['list', '--server'],
    batch: ['--suite', 'all'],
    isolated: [],
  },
  2026: {
    alias: 'mcp-conformance-2026',
    version: '0.2.0-alpha.12',
    wire: '2026-07-28 (stateless, _meta envelope and routing headers)',
    list: ['list', '--requirements', '2026-07-28'],
    batch: ['--requirements', '2026-07-28', '--timeout', String(SCENARIO_TIMEOUT_MS)],
    // What --requirements does for each of its scenarios, for one scenario.
    isolated: ['--spec-version', '2026-07-28', '--force', '--timeout', String(SCENARIO_TIMEOUT_MS)],
  },
};

function usage(message) {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write(
    'usage: UNRAID_MCP_TOKEN=<token> node scripts/conformance.mjs --url <mcp url> [--suite 2025|2026|all]\n' +
      '         [--isolate] [--scenario NAME]... [--json FILE] [--expect FILE] [--node PATH]\n' +
      '       node scripts/conformance.mjs --print-node\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { suites: ['2025', '2026'], scenarios: [], isolate: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    if (flag === '--url') opts.url = value();
    else if (flag === '--suite') {
      const v = value();
      if (v !== 'all' && !(v in SUITES)) usage(`unknown suite ${v}`);
      opts.suites = v === 'all' ? ['2025', '2026'] : [v];
    } else if (flag === '--scenario') opts.scenarios.push(value());
    else if (flag === '--isolate') opts.isolate = true;
    else if (flag === '--json') opts.json = value();
    else if (flag === '--expect') opts.expect = value();
    else if (flag === '--node') opts.node = value();
    else if (flag === '--print-node') opts.printNode = true;
    else if (flag === '--help' || flag === '-h') usage('');
    else usage(`unknown argument ${flag}`);
  }
  if (opts.printNode) return opts;
  if (!opts.url) usage('--url is required');
  opts.token = process.env.UNRAID_MCP_TOKEN;
  if (!opts.token)
    usage('UNRAID_MCP_TOKEN must hold the bearer token (it is never taken on the command line)');
  return opts;
}

function run(cmd, args, { timeoutMs, env } = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs)
      : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      resolveRun({ code: null, stdout, stderr: `${stderr}${String(error)}`, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr, timedOut });
    });
  });
}

/** The Node release the suites (and the Inspector's CLI) run on: both need Node >= 22, the project runs on 20. */
export const NODE22_VERSION = '22.23.3';

const majorOf = (version) => Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);

/** npm's package that holds the Node binary for this platform (the packages the `node` package picks from). */
function nodeBinaryPackage() {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return `${prefix}-${platform}-${process.arch}`;
}

/**
 * A Node >= 22 binary: --node or UNRAID_MCP_NODE22 when given, this one when it is new enough, else
 * Node NODE22_VERSION from the npm registry's platform package, installed once (without install
 * scripts) under node_modules/.cache. It is not a devDependency on purpose: the `node` package links
 * node_modules/.bin/node, and every npm script and npx command, the test suite included, would then
 * run on Node 22 instead of the Node 20 the project supports.
 */
export async function ensureNode22(explicit = process.env.UNRAID_MCP_NODE22) {
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${explicit} does not exist`);
    return explicit;
  }
  if (majorOf(process.version) >= 22) return process.execPath;
  const pkg = nodeBinaryPackage();
  const cache = join(ROOT, 'node_modules/.cache/unraid-mcp', `${pkg}-${NODE22_VERSION}`);
  const binary = join(cache, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(binary)) return binary;
  await mkdir(dirname(cache), { recursive: true });
  // Installed beside the cache and renamed into place, so two runs at once never see half a binary.
  const staging = await mkdtemp(`${cache}.partial-`);
  try {
    const args = ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--ignore-scripts'];
    let last;
    for (let attempt = 1; attempt <= 3; attempt++) {
      last = await run('npm', [...args, '--no-audit', '--no-fund', `${pkg}@${NODE22_VERSION}`], {
        timeoutMs: 300_000,
      });
      if (last.code === 0) break;
      await new Promise((r) => setTimeout(r, attempt * 3000));
    }
    if (last.code !== 0)
      throw new Error(
        `npm install ${pkg}@${NODE22_VERSION} failed (${last.code}): ${last.stderr.slice(-2000)}`,
      );
    if (!existsSync(binary)) await rename(staging, cache).catch(() => {});
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!existsSync(binary)) throw new Error(`${binary} is missing after installing ${pkg}@${NODE22_VERSION}`);
  return binary;
}

function suiteEntry(suite) {
  const entry = join(ROOT, 'node_modules', SUITES[suite].alias, 'dist/index.js');
  if (!existsSync(entry))
    throw new Error(`${SUITES[suite].alias} is not installed (run npm ci): ${entry} is missing`);
  return entry;
}

/** The server scenarios of one suite, with the suite's own reason for not scoring some (2026). */
async function listScenarios(node, suite) {
  const out = await run(node, [suiteEntry(suite), ...SUITES[suite].list], { timeoutMs: 60_000 });
  if (out.code !== 0) throw new Error(`conformance ${SUITES[suite].list.join(' ')} failed: ${out.stderr}`);
  const scenarios = [];
  let section = '';
  let group = null;
  for (const line of out.stdout.split('\n')) {
    if (/^\S/.test(line)) section = line;
    const heading = /^ {2}(\S[^(]*) \(\d+\):$/.exec(line);
    if (heading) group = heading[1].trim();
    const item = /^\s+- (\S+)(?: \[(.*)\])?$/.exec(line);
    if (!item) continue;
    if (section.startsWith('Server scenarios')) scenarios.push({ name: item[1], tag: null });
    else if (section.startsWith('Run and reported') && item[2] === 'server')
      scenarios.push({ name: item[1], tag: group });
  }
  if (scenarios.length === 0) throw new Error(`no server scenarios found in:\n${out.stdout}`);
  return scenarios;
}

/**
 * A reverse proxy on 127.0.0.1 that adds the bearer token and remembers the sessions handed out.
 * Everything else passes unchanged, streaming both ways (SSE answers are flushed as they arrive).
 */
async function startProxy(upstream, token) {
  const target = new URL(upstream);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const sessions = new Map(); // session id -> the MCP-Protocol-Version sent with it
  const server = createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const sessionOut = req.headers['mcp-session-id'];
    const forward = send(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        const id = answer.headers['mcp-session-id'];
        if (typeof id === 'string' && req.method !== 'DELETE' && !sessions.has(id))
          sessions.set(id, req.headers['mcp-protocol-version']);
        if (req.method === 'DELETE' && typeof sessionOut === 'string') sessions.delete(sessionOut);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`conformance proxy: ${error.message}`);
    });
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${target.pathname}${target.search}`,
    /** Ends the sessions the suite left open, then stops listening. */
    async close() {
      server.close();
      server.closeAllConnections();
      await Promise.all(
        [...sessions].map(([id, version]) =>
          fetch(upstream, {
            method: 'DELETE',
            headers: {
              authorization: `Bearer ${token}`,
              'mcp-session-id': id,
              ...(version ? { 'mcp-protocol-version': version } : {}),
            },
            signal: AbortSignal.timeout(5000),
          }).catch(() => {}),
        ),
      );
    },
  };
}

const oneLine = (text) => String(text).replace(/\s+/g, ' ').trim().slice(0, 400);

/** Checks every scenario gets from the suite's wire validation, whatever the scenario exercised. */
const SYNTHETIC = new Set(['wire-schema-valid', 'wire-schema-harness-error']);

/**
 * One scenario's status from its checks: any FAILURE fails it; a SUCCESS of its own (not only the
 * wire-schema check every scenario gets) and no FAILURE passes it; anything else (only warnings,
 * INFO or SKIPPED) is "skipped": the suite reached no verdict.
 */
export function scenarioStatus(checks, excused = new Set()) {
  if (checks.some((c) => c.status === 'FAILURE' && !excused.has(c.id))) return 'fail';
  return checks.some((c) => c.status === 'SUCCESS' && !SYNTHETIC.has(c.id)) ? 'pass' : 'skipped';
}

function summarise(checks) {
  const status = scenarioStatus(checks);
  const failures = checks.filter((c) => c.status === 'FAILURE');
  const other = checks.filter((c) => c.status !== 'SUCCESS' && c.status !== 'FAILURE');
  const describe = (c) => `${c.id} ${c.status}${c.errorMessage ? ` (${oneLine(c.errorMessage)})` : ''}`;
  return {
    status,
    reason:
      status === 'fail'
        ? failures.map((c) => `${c.id}: ${oneLine(c.errorMessage ?? c.description ?? '')}`).join(' | ')
        : status === 'skipped'
          ? `no verdict: ${other.map(describe).join(', ') || 'no checks'}`
          : '',
    checks: checks.map((c) => ({
      id: c.id,
      status: c.status,
      ...(c.errorMessage ? { message: oneLine(c.errorMessage) } : {}),
    })),
  };
}

/** Why a scenario left no checks.json: the suite's own "Failed to run scenario" line, else its last words. */
function noResultReason(name, result) {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').filter((l) => l.trim());
  const own = lines.find((l) => l.startsWith(`Failed to run scenario ${name}:`));
  const any = lines.find((l) => /error/i.test(l));
  return oneLine(own?.slice(`Failed to run scenario ${name}:`.length) ?? any ?? lines.at(-1) ?? 'no output');
}

const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

/** Runs one suite process (the whole suite, or one scenario) and reads each scenario's checks.json. */
async function runSuiteProcess({ node, suite, scenarios, args, upstream, token, timeoutMs }) {
  const out = await mkdtemp(join(tmpdir(), 'umcp-conformance-'));
  const proxy = await startProxy(upstream, token);
  try {
    const env = { ...process.env };
    delete env.UNRAID_MCP_TOKEN; // the suite never needs it: the proxy adds it
    const result = await run(node, [suiteEntry(suite), 'server', '--url', proxy.url, '-o', out, ...args], {
      timeoutMs,
      env,
    });
    const byName = new Map();
    for (const dir of await readdir(out)) {
      const name = RESULT_DIR.exec(dir)?.[1];
      if (name && existsSync(join(out, dir, 'checks.json'))) byName.set(name, join(out, dir, 'checks.json'));
    }
    return await Promise.all(
      scenarios.map(async (scenario) => {
        const base = { suite, scenario: scenario.name, tag: scenario.tag };
        const file = byName.get(scenario.name);
        if (file) return { ...base, ...summarise(JSON.parse(await readFile(file, 'utf8'))) };
        const reason = result.timedOut
          ? `the suite gave no result within ${timeoutMs} ms`
          : noResultReason(scenario.name, result);
        return { ...base, status: 'error', reason, checks: [] };
      }),
    );
  } finally {
    await proxy.close();
    await rm(out, { recursive: true, force: true });
  }
}

async function pool(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

/**
 * Applies an --expect entry. {status, reason}: the whole scenario is not applicable and must end with
 * that status. {checks: {id: reason}}: those checks cannot apply and must fail; every other check
 * must not fail and the scenario must pass. Anything else is unexpected.
 */
function judge(result, expect) {
  const listed = expect?.[result.suite]?.[result.scenario];
  const got = `${result.status}${result.reason ? `: ${result.reason}` : ''}`;
  if (listed?.status) {
    if (listed.status === result.status) return { ...result, verdict: 'n/a', why: listed.reason };
    return {
      ...result,
      verdict: 'unexpected',
      why: `listed as ${listed.status} (${listed.reason}) but ${got}`,
    };
  }
  if (listed?.checks) {
    const excused = new Set(Object.keys(listed.checks));
    const failing = new Set(result.checks.filter((c) => c.status === 'FAILURE').map((c) => c.id));
    const stale = [...excused].filter((id) => !failing.has(id));
    const status = scenarioStatus(result.checks, excused);
    if (status === 'pass' && stale.length === 0)
      return { ...result, verdict: 'pass', why: `except checks listed as n/a: ${[...excused].join(', ')}` };
    const problems = [
      ...result.checks
        .filter((c) => c.status === 'FAILURE' && !excused.has(c.id))
        .map((c) => `${c.id}: ${c.message ?? 'failed'}`),
      ...stale.map((id) => `${id} is listed as not applicable but did not fail`),
      ...(status === 'skipped' ? ['no check of its own passed'] : []),
    ];
    return { ...result, verdict: 'unexpected', why: problems.join(' | ') };
  }
  if (result.status === 'fail' || result.status === 'error')
    return { ...result, verdict: 'unexpected', why: result.reason };
  return { ...result, verdict: result.status, why: result.reason };
}

function printTable(results) {
  const width = Math.max(...results.map((r) => r.scenario.length), 8);
  for (const suite of new Set(results.map((r) => r.suite))) {
    const s = SUITES[suite];
    process.stdout.write(
      `\n${suite} suite: @modelcontextprotocol/conformance ${s.version}, wire ${s.wire}\n`,
    );
    for (const r of results.filter((x) => x.suite === suite)) {
      const shown = r.verdict === 'unexpected' ? `UNEXPECTED ${r.status.toUpperCase()}` : r.verdict;
      const tag = r.tag ? `[${r.tag}] ` : '';
      process.stdout.write(`  ${r.scenario.padEnd(width)}  ${shown.padEnd(17)} ${tag}${r.why ?? ''}\n`);
    }
  }
  const count = (v) => results.filter((r) => r.verdict === v).length;
  process.stdout.write(
    `\n${count('pass')} passed, ${count('n/a')} not applicable, ${count('skipped')} without a verdict, ` +
      `${count('unexpected')} unexpected\n`,
  );
}

export async function main(argv) {
  const opts = parseArgs(argv);
  const node = await ensureNode22(opts.node);
  const nodeVersion = (await run(node, ['--version'])).stdout.trim();
  if (majorOf(nodeVersion) < 22)
    throw new Error(`the conformance suite needs Node >= 22, ${node} is ${nodeVersion}`);
  if (opts.printNode) {
    process.stdout.write(`${node}\n`);
    return 0;
  }
  const expect = opts.expect ? JSON.parse(await readFile(opts.expect, 'utf8')) : undefined;
  const started = Date.now();
  const results = [];
  const timings = {};
  for (const suite of opts.suites) {
    const t0 = Date.now();
    const all = await listScenarios(node, suite);
    const common = { node, suite, upstream: opts.url, token: opts.token };
    let done;
    if (opts.scenarios.length === 0 && !opts.isolate) {
      done = await runSuiteProcess({
        ...common,
        scenarios: all,
        args: SUITES[suite].batch,
        timeoutMs: SUITE_TIMEOUT_MS,
      });
    } else {
      const chosen = opts.scenarios.length > 0 ? all.filter((s) => opts.scenarios.includes(s.name)) : all;
      done = (
        await pool(chosen, 2, (scenario) =>
          runSuiteProcess({
            ...common,
            scenarios: [scenario],
            args: ['--scenario', scenario.name, ...SUITES[suite].isolated],
            timeoutMs: SCENARIO_TIMEOUT_MS + 30_000,
          }),
        )
      ).flat();
    }
    results.push(...done.map((r) => judge(r, expect)));
    timings[suite] = Date.now() - t0;
    // A listed scenario the suite no longer has (renamed, dropped) is a stale entry.
    if (opts.scenarios.length === 0)
      for (const [name, listed] of Object.entries(expect?.[suite] ?? {}))
        if (!all.some((s) => s.name === name))
          results.push({
            suite,
            scenario: name,
            tag: null,
            status: 'missing',
            verdict: 'unexpected',
            why: `listed in --expect (${listed.reason ?? 'some checks'}) but the suite has no such scenario`,
            checks: [],
          });
  }
  printTable(results);
  if (results.some((r) => /open sessions \(limit \d+\)/.test(r.why ?? '')))
    process.stderr.write(
      '\nThe server refused sessions over its per-token limit: the 2025 suite never ends its sessions. ' +
        'Run again with --isolate, or raise MAX_SESSIONS_PER_TOKEN for the run.\n',
    );
  const report = {
    url: opts.url,
    node: nodeVersion,
    durationMs: Date.now() - started,
    suites: Object.fromEntries(
      opts.suites.map((s) => [
        s,
        { version: SUITES[s].version, wire: SUITES[s].wire, durationMs: timings[s] },
      ]),
    ),
    results,
  };
  if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  return results.some((r) => r.verdict === 'unexpected') ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`conformance: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
