#!/usr/bin/env node
// bench/vm: `vm_list` over a host with 500 VMs through MCP, against `virsh list --all` on the same
// libvirt URI in the same run, and the number of libvirt calls one list costs.
//
// Method
// - The host is a libvirt test-driver node written to a temp dir by bench/lib/libvirt-node.mjs:
//   --domains (500) domains, mixed running/paused/shut off, names with spaces, parentheses, "&" and
//   non-ASCII, 1–8 vCPUs each; LIBVIRT_URI=test:///<tmp>/node.xml. No hypervisor and no libvirtd:
//   the test driver runs inside whichever process opens the URI, and each open parses the node XML.
// - The sidecar is the built dist/server/main.js with the production V8 flags (package.json
//   unraidMcp.nodeFlags), temp config/state/audit dirs and a read token made with its CLI. One MCP
//   session (one SDK Client) calls tools sequentially; latency is tools/call sent → answer parsed.
// - vm_list: --warmup calls are discarded (the sidecar opens its libvirt connection on the first one,
//   JIT settles), then --calls are measured. Every answer must list every domain, untruncated (the
//   bench raises RESPONSE_CAP_KB so 500 VMs fit), or the run fails.
// - virsh: `virsh -c <URI> list --all`, spawned with execFile (an argument array, never a shell),
//   --calls times, interleaved one-for-one with the vm_list calls so both see the same machine. Each
//   one is what an owner runs at a prompt: a process spawn, a connection open (here: parsing the node
//   XML; on Unraid: connecting to libvirtd's socket), one list, printing, exit. The sidecar keeps one
//   connection open between calls, so the ratio is "warm server over MCP" against "cold CLI" — the
//   comparison an owner experiences, not the cost of the same libvirt work.
// - Context rows, not targets: the MCP floor (system_overview served from its 1 s cache: protocol,
//   auth, audit and nothing else), and one virsh process fetching what vm_list returns (`list --all`
//   and a `dominfo <uuid>` per domain as one virsh command batch; virsh splits it on ";", no shell).
// - Libvirt calls per list: the sidecar's counter unraid_mcp_libvirt_calls_total{op} from GET
//   /metrics (bearer token), read before and after --count-calls vm_list calls with nothing else
//   running; (after − before) / count, in total and per op. The expected figure is 2 list calls
//   (all domains, autostart domains) + 3 per domain (name, UUID, getInfo) + 1 UUID per autostart
//   domain. The test driver's node XML cannot mark a domain autostart, so that last term is 0 here.
// - Sidecar VmRSS at ready, peak while vm_list runs (sampled every 50 ms) and after the run.
// Prints a table and writes bench/results/vm.json.
//
// Usage: npm run build && npm run bench:vm [-- --domains 500 --calls 100 --warmup 10 --count-calls 10 --extra-calls 20]
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { cleanupAll, runBench, installCleanupHandlers, makeTempDir } from './lib/children.mjs';
import { callToolOrThrow, closeMcpClients, connectMcpClients } from './lib/load.mjs';
import { writeLibvirtNode } from './lib/libvirt-node.mjs';
import { machineInfo, readRssKb, startRssSampler } from './lib/proc.mjs';
import { createBenchToken, REPO, SIDECAR_MAIN, sidecarEnv, startBuiltSidecar } from './lib/sidecar.mjs';
import { formatTable, kbToMb, median, percentileSorted, round } from './lib/stats.mjs';

const MAIN = SIDECAR_MAIN;
const RESULTS = join(REPO, 'bench/results/vm.json');
const log = (line = '') => process.stdout.write(line + '\n');

function parseOptions() {
  const { values } = parseArgs({
    options: {
      domains: { type: 'string', default: '500' },
      calls: { type: 'string', default: '100' },
      warmup: { type: 'string', default: '10' },
      'count-calls': { type: 'string', default: '10' },
      'extra-calls': { type: 'string', default: '20' },
    },
  });
  const num = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min)
      throw usageError(`--${name} must be a whole number ≥ ${min} (got "${values[name]}")`);
    return n;
  };
  return {
    domains: num('domains', 1),
    calls: num('calls', 1),
    warmup: num('warmup', 0),
    countCalls: num('count-calls', 1),
    extraCalls: num('extra-calls', 0),
  };
}

/** An error whose message says it all (no stack trace printed). */
function usageError(message) {
  return Object.assign(new Error(message), { expected: true });
}

// ---------------------------------------------------------------------------------------------
// virsh

// execFile children are not startServer children, so they get their own kill on exit (Ctrl-C too:
// installCleanupHandlers exits the process, which runs this).
const virshChildren = new Set();
process.on('exit', () => {
  for (const child of virshChildren) child.kill('SIGKILL');
});

/** Runs virsh with an argument array (no shell) and resolves stdout; rejects with its stderr. */
function virsh(uri, args) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'virsh',
      ['-c', uri, ...args],
      { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        virshChildren.delete(child);
        if (err)
          reject(
            err.code === 'ENOENT'
              ? usageError('virsh is not installed (apt-get install libvirt-clients)')
              : new Error(`virsh ${args[0]} failed: ${stderr.trim() || err.message}`),
          );
        else resolve(stdout);
      },
    );
    virshChildren.add(child);
  });
}

/** Rows of `virsh list --all` (everything below the header's dashes). */
const virshListRows = (out) =>
  out
    .split('\n')
    .slice(2)
    .filter((l) => l.trim()).length;

// ---------------------------------------------------------------------------------------------
// Sidecar

async function startSidecar(work, uri) {
  // The whole list of 500 VMs (~40 KB of JSON) must come back, not a capped first part: the owner of
  // such a host raises the response cap, and so does the bench.
  const env = sidecarEnv(work, { cfg: 'RESPONSE_CAP_KB="256"\n', libvirtUri: uri });
  const secret = await createBenchToken(env, 'bench', 'read', MAIN);
  const srv = await startBuiltSidecar(env, work);
  return { srv, url: srv.match[1], auth: { Authorization: `Bearer ${secret}` } };
}

/** unraid_mcp_libvirt_calls_total by op, from the sidecar's /metrics. */
async function libvirtCalls(mcpUrl, headers) {
  const res = await fetch(new URL('/metrics', mcpUrl), { headers });
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const byOp = {};
  for (const line of (await res.text()).split('\n')) {
    const m = /^unraid_mcp_libvirt_calls_total\{op="((?:[^"\\]|\\.)*)"\}\s+(\S+)/.exec(line);
    if (m) byOp[m[1]] = Number(m[2]);
  }
  return byOp;
}

/** warn/error lines the sidecar logged (JSON lines on stderr), grouped by message. */
function sidecarProblems(logPath) {
  const kinds = {};
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      continue; // the ready lines on stdout are copied here too
    }
    if (rec.level === 'warn' || rec.level === 'error')
      kinds[`${rec.level}: ${rec.msg}`] = (kinds[`${rec.level}: ${rec.msg}`] ?? 0) + 1;
  }
  return kinds;
}

// ---------------------------------------------------------------------------------------------

function latencyStats(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    n: ms.length,
    p50Ms: round(median(ms), 2),
    p95Ms: round(percentileSorted(sorted, 95), 2),
    minMs: round(sorted[0], 2),
    maxMs: round(sorted.at(-1), 2),
  };
}

async function main() {
  installCleanupHandlers();
  const opts = parseOptions();
  if (!existsSync(MAIN)) throw usageError('dist/server/main.js is missing: run npm run build first');
  const machine = machineInfo();
  log(`vm bench: ${opts.domains} domains, ${opts.calls} measured calls each after ${opts.warmup} warm-up`);
  log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load avg ${machine.loadAvgAtStart.join(' ')}`,
  );

  const work = makeTempDir('umcp-bench-vm-');
  const node = writeLibvirtNode(work, { count: opts.domains });
  const virshVersion = (await virsh(node.uri, ['--version'])).trim();
  log(
    `host: ${node.uri} (${Object.entries(node.states)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')}); virsh ${virshVersion}`,
  );
  const rows = virshListRows(await virsh(node.uri, ['list', '--all']));
  if (rows !== opts.domains)
    throw new Error(`virsh list --all shows ${rows} domains, the generated node has ${opts.domains}`);

  const { srv, url, auth } = await startSidecar(work, node.uri);
  const rssReadyKb = readRssKb(srv.pid);
  const { sessions, background } = await connectMcpClients(url, { count: 1, headers: auth });
  const { client } = sessions[0];

  let first = null;
  const vmList = async () => {
    const res = await callToolOrThrow(client, 'vm_list', {});
    const out = res.structuredContent;
    if (out?.count !== opts.domains || out.vms?.length !== opts.domains || out.truncated) {
      throw new Error(
        `vm_list returned ${out?.vms?.length} of count ${out?.count} VMs${out?.truncated ? ' (truncated)' : ''}, expected all ${opts.domains}`,
      );
    }
    first ??= res;
  };
  const virshList = async () => {
    const n = virshListRows(await virsh(node.uri, ['list', '--all']));
    if (n !== opts.domains) throw new Error(`virsh list --all returned ${n} rows, expected ${opts.domains}`);
  };

  // 1. vm_list through MCP and virsh list --all, alternating.
  log('\n[1/3] vm_list via MCP vs virsh list --all');
  const t0 = performance.now();
  await vmList(); // opens the sidecar's libvirt connection
  const firstCallMs = performance.now() - t0;
  for (let i = 0; i < opts.warmup; i++) {
    await vmList();
    await virshList();
  }
  const mcpMs = [];
  const virshMs = [];
  const rss = startRssSampler(srv.pid, 50);
  for (let i = 0; i < opts.calls; i++) {
    let t = performance.now();
    await vmList();
    mcpMs.push(performance.now() - t);
    t = performance.now();
    await virshList();
    virshMs.push(performance.now() - t);
  }
  const { peakKb } = rss.stop();
  const mcp = latencyStats(mcpMs);
  const cli = latencyStats(virshMs);
  log(
    `  vm_list p50 ${mcp.p50Ms} ms, virsh list --all p50 ${cli.p50Ms} ms (first vm_list, connection open included: ${round(firstCallMs, 1)} ms)`,
  );

  // 2. Context: the MCP floor, and one virsh process fetching what vm_list returns.
  log('\n[2/3] context: MCP floor, virsh list + dominfo per domain');
  const floorMs = [];
  for (let i = 0; i < opts.calls; i++) {
    const t = performance.now();
    await callToolOrThrow(client, 'system_overview', {});
    floorMs.push(performance.now() - t);
  }
  const floor = latencyStats(floorMs);
  let sameData = null;
  if (opts.extraCalls > 0) {
    const batch = ['list --all', ...node.domains.map((d) => `dominfo ${d.uuid}`)].join(' ; ');
    const ms = [];
    for (let i = 0; i < opts.extraCalls; i++) {
      const t = performance.now();
      const out = await virsh(node.uri, [batch]);
      ms.push(performance.now() - t);
      const infos = out.split('\n').filter((l) => l.startsWith('UUID:')).length;
      if (infos !== opts.domains)
        throw new Error(`virsh dominfo batch printed ${infos} domains, expected ${opts.domains}`);
    }
    sameData = latencyStats(ms);
  }
  log(
    `  system_overview p50 ${floor.p50Ms} ms${sameData ? `, virsh list + ${opts.domains} dominfo p50 ${sameData.p50Ms} ms` : ''}`,
  );

  // 3. Libvirt calls per vm_list, from the sidecar's own counter, nothing else running.
  log(`\n[3/3] libvirt calls per vm_list (${opts.countCalls} calls)`);
  const before = await libvirtCalls(url, auth);
  for (let i = 0; i < opts.countCalls; i++) await vmList();
  const after = await libvirtCalls(url, auth);
  const perOp = {};
  for (const op of Object.keys(after)) {
    const d = (after[op] - (before[op] ?? 0)) / opts.countCalls;
    if (d) perOp[op] = round(d, 2);
  }
  const perList = round(
    Object.values(perOp).reduce((a, b) => a + b, 0),
    2,
  );
  const autostartVms = first.structuredContent.vms.filter((v) => v.autostart).length;
  const expected = {
    total: 2 + 3 * opts.domains + autostartVms,
    connectListAllDomains: 2,
    domainGetName: opts.domains,
    domainGetUUIDString: opts.domains + autostartVms,
    domainGetInfo: opts.domains,
  };

  const rssAfterKb = readRssKb(srv.pid);
  await closeMcpClients(sessions);
  const exit = await srv.stop();
  const problems = sidecarProblems(srv.logPath);

  const result = {
    date: new Date().toISOString(),
    options: opts,
    machine: { ...machine, loadAvgAtEnd: loadavg().map((x) => round(x, 2)) },
    host: {
      uri: 'test:///<tmp>/node.xml',
      domains: opts.domains,
      states: node.states,
      autostartVms,
      virsh: virshVersion,
    },
    vmList: {
      ...mcp,
      firstCallMs: round(firstCallMs, 1),
      responseBytes: Buffer.byteLength(JSON.stringify(first)),
    },
    virshListAll: cli,
    ratioP50: round(mcp.p50Ms / cli.p50Ms, 3),
    context: { mcpFloorSystemOverview: floor, virshListPlusDominfoBatch: sameData },
    libvirtCallsPerList: { total: perList, perOp, expected, countCalls: opts.countCalls },
    sidecar: {
      rssReadyMb: kbToMb(rssReadyKb),
      peakRssDuringListMb: kbToMb(peakKb),
      rssAfterRunMb: kbToMb(rssAfterKb),
      exit: { code: exit.code, signal: exit.signal, killed: exit.killed },
      logProblems: problems,
      backgroundErrors: Object.fromEntries(background),
    },
  };

  log('');
  log(
    formatTable(
      ['measure', 'p50 ms', 'p95 ms', 'calls'],
      [
        [`vm_list via MCP, ${opts.domains} VMs (one session)`, mcp.p50Ms, mcp.p95Ms, mcp.n],
        [`virsh -c <URI> list --all (spawn + open + list)`, cli.p50Ms, cli.p95Ms, cli.n],
        ['context: MCP floor, system_overview from cache', floor.p50Ms, floor.p95Ms, floor.n],
        ...(sameData
          ? [
              [
                `context: one virsh, list --all + ${opts.domains} x dominfo`,
                sameData.p50Ms,
                sameData.p95Ms,
                sameData.n,
              ],
            ]
          : []),
      ],
    ),
  );
  log('');
  log(
    formatTable(
      ['libvirt calls per vm_list', 'measured', 'expected'],
      [
        ['total', perList, expected.total],
        ...Object.entries(perOp).map(([op, n]) => [`  ${op}`, n, expected[op] ?? '-']),
      ],
    ),
  );
  log('');
  log(
    formatTable(
      ['summary', 'value'],
      [
        ['ratio vm_list p50 / virsh list --all p50', `${result.ratioP50}x`],
        ['vm_list response size (JSON-RPC result)', `${round(result.vmList.responseBytes / 1024, 1)} KiB`],
        ['first vm_list (opens the libvirt connection)', `${result.vmList.firstCallMs} ms`],
        [
          'sidecar RSS at ready / peak during vm_list / after run',
          `${result.sidecar.rssReadyMb} / ${result.sidecar.peakRssDuringListMb} / ${result.sidecar.rssAfterRunMb} MB`,
        ],
      ],
    ),
  );
  if (Object.keys(problems).length)
    log(`\nNOTE: the sidecar logged warnings/errors: ${JSON.stringify(problems)}`);
  if (exit.code !== 0)
    log(
      `\nWARNING: the sidecar exited with ${exit.code ?? exit.signal}${exit.killed ? ' (killed after the stop timeout)' : ''}`,
    );

  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
  log(`\nwrote ${relative(process.cwd(), RESULTS) || RESULTS}`);
}

runBench('vm', main);
