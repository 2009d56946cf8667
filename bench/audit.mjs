#!/usr/bin/env node
// Audit log benchmark: durable append throughput with 16 concurrent writers against raw baselines,
// then query latency and memory over 1,000,000 records spread across rotated files.
// Runs the compiled modules in dist/ (npm run build first). Prints a table, writes bench/results/audit.json.
//
//   npm run bench:audit
//   npm run bench:audit -- --seconds 3 --rounds 7 --records 200000 --runs 9
import { spawn } from 'node:child_process';
import {
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  mkdirSync,
  writeFileSync,
  mkdtempSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist/server/safety/audit');
const RESULTS = join(ROOT, 'bench/results/audit.json');
const WRITERS = 16;
const TARGET_RPS = 20_000;
const TARGET_FIRST_PAGE_MS = 50;

if (!existsSync(join(DIST, 'audit-log.js'))) {
  console.error(`${DIST}/audit-log.js is missing: run "npm run build" first.`);
  process.exit(1);
}
const { AuditLog } = await import(join(DIST, 'audit-log.js'));
const { queryAudit } = await import(join(DIST, 'audit-query.js'));
const { verifyAudit } = await import(join(DIST, 'audit-verify.js'));

const quiet = { debug() {}, info() {}, warn() {}, error: (m, f) => console.error(m, f) };

// ---- realistic records (~400 bytes once chained) ----
const TOOLS = [
  'docker_list',
  'docker_inspect',
  'docker_logs',
  'docker_start',
  'docker_stop',
  'docker_restart',
  'docker_remove',
  'vm_list',
  'vm_start',
  'vm_shutdown',
  'system_overview',
  'system_disks',
];
const PRINCIPALS = ['claude-desktop', 'cursor', 'home-assistant', 'webgui', 'nightly-script'];
const CONTAINERS = ['plex', 'sonarr', 'radarr', 'nextcloud', 'mariadb', 'swag', 'homeassistant', 'jellyfin'];
const RARE_TOOL = 'docker_remove';
const RARE_PRINCIPAL = 'ci-bot';

function record(i, t = Date.now()) {
  // 1 in 1000 is the needle (docker_remove by ci-bot); ci-bot also makes 1% of other calls and
  // docker_remove is 1/12 of the rest, so each half of the filter alone matches often.
  const needle = i % 1000 === 500;
  const principal = needle
    ? RARE_PRINCIPAL
    : i % 100 === 7
      ? RARE_PRINCIPAL
      : PRINCIPALS[i % PRINCIPALS.length];
  const tool = needle
    ? RARE_TOOL
    : principal === RARE_PRINCIPAL
      ? 'docker_logs'
      : TOOLS[(i * 7) % TOOLS.length];
  const name = CONTAINERS[i % CONTAINERS.length];
  const outcome = i % 2 === 1;
  const rec = {
    id: `4f1c2d3e-${String(i).padStart(4, '0').slice(-4)}-4a5b-8c9d-${String(i).padStart(12, '0')}`,
    time: new Date(t).toISOString(),
    stage: outcome ? 'outcome' : 'intent',
    principal,
    client: { name: 'claude-code', version: '2.1.4' },
    session: 'a1b2c3d4e5f60718',
    tool,
    target: { kind: 'container', ref: name },
    args: { id: name },
    decision: { allowed: true, rule: null },
  };
  if (outcome)
    Object.assign(rec, {
      intent: rec.id,
      result: { status: 'ok', code: null, message: null },
      durationMs: 41.7,
    });
  return rec;
}

// ---- throughput: N writers in closed loops for `seconds` ----
async function closedLoop(seconds, writers, one) {
  const lat = [];
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; performance.now() < end; i += writers) {
        const t0 = performance.now();
        await one(i);
        lat.push(performance.now() - t0);
        n++;
      }
    }),
  );
  lat.sort((a, b) => a - b);
  return { rps: n / seconds, records: n, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
const median = (xs) =>
  pct(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** The disk's own cost of one group commit: write 16 records (~8 KB) + fdatasync, in a loop. */
async function deviceLatency(work, iterations = 400) {
  const fh = await open(join(work, 'device.jsonl'), 'a', 0o600);
  const buf = Buffer.alloc(16 * 500, 'x');
  const lat = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fh.write(buf);
    await fh.datasync();
    lat.push(performance.now() - t0);
  }
  await fh.close();
  return median(lat);
}

const chainedLine = (i) =>
  JSON.stringify({ ...record(i), seq: i, prev: '0'.repeat(64), hash: 'f'.repeat(64) }) + '\n';

const KINDS = {
  durable: { name: 'AuditLog.append durable (group commit + fdatasync)', writers: WRITERS },
  baseline: { name: 'baseline: appendFile + fdatasync per record', writers: WRITERS },
  durable64: { name: 'AuditLog.append durable, 64 writers (context)', writers: 64 },
  nondurable: { name: 'AuditLog.append non-durable (fsync within 1 s)', writers: WRITERS },
  ceiling: { name: 'ceiling: appendFile, no fsync, no chain', writers: WRITERS },
};

async function measure(kind, seconds, work, round) {
  const { writers } = KINDS[kind];
  if (kind === 'baseline' || kind === 'ceiling') {
    const fh = await open(join(work, `${kind}-${round}.jsonl`), 'a', 0o600);
    const r = await closedLoop(seconds, writers, async (i) => {
      await fh.appendFile(chainedLine(i));
      if (kind === 'baseline') await fh.datasync();
    });
    await fh.close();
    return r;
  }
  const log = new AuditLog({ dir: join(work, `${kind}-${round}`), persistent: true, log: quiet });
  await log.open();
  const r = await closedLoop(seconds, writers, (i) => log.append(record(i), kind !== 'nondurable'));
  await log.close();
  return r;
}

/**
 * fsync latency on a shared VM disk drifts by a factor of three within minutes, so the durable
 * writer and its baseline are measured in alternating rounds and compared by their medians.
 */
async function throughput(seconds, rounds, work) {
  const runs = Object.fromEntries(Object.keys(KINDS).map((k) => [k, []]));
  const device = [];
  for (let round = 0; round < rounds; round++) {
    device.push(await deviceLatency(work));
    for (const kind of ['durable', 'baseline', 'durable64'])
      runs[kind].push(await measure(kind, seconds, work, round));
  }
  for (const kind of ['nondurable', 'ceiling']) runs[kind].push(await measure(kind, seconds, work, 0));
  const rows = Object.entries(runs).map(([kind, rs]) => {
    const rps = rs.map((r) => r.rps);
    const mid = rs.find((r) => r.rps === median(rps)) ?? rs[0];
    return {
      kind,
      name: KINDS[kind].name,
      writers: KINDS[kind].writers,
      rps: median(rps),
      rounds: rps,
      p50: mid.p50,
      p99: mid.p99,
    };
  });
  return { rows, deviceMs: device };
}

// ---- 1,000,000 records through the real writer ----
async function generate(dir, total) {
  const log = new AuditLog({ dir, persistent: true, log: quiet, keepFiles: 100_000 });
  await log.open();
  const t0 = performance.now();
  const start = Date.now() - total * 1000; // one record a second, ending now
  for (let i = 0; i < total; i += 2000) {
    const batch = [];
    for (let j = i; j < Math.min(total, i + 2000); j++)
      batch.push(log.append(record(j, start + j * 1000), false));
    await Promise.all(batch);
  }
  await log.close();
  const s = (performance.now() - t0) / 1000;
  const status = log.status();
  return { seconds: s, rps: total / s, lastSeq: status.seq };
}

// ---- the query, in a child process so its memory is measured alone ----
async function queryChild(dir, runs) {
  const out = {};
  const filtered = { tool: RARE_TOOL, principal: RARE_PRINCIPAL };
  const time = async (fn) => {
    const t0 = performance.now();
    const r = await fn();
    return { ms: performance.now() - t0, r };
  };
  const first = [];
  const filt = [];
  const second = [];
  let filteredCount = 0;
  for (let i = 0; i < runs; i++) {
    const a = await time(() => queryAudit(dir, {}));
    first.push(a.ms);
    const b = await time(() => queryAudit(dir, filtered));
    filt.push(b.ms);
    filteredCount = b.r.records.length;
    const c = await time(() => queryAudit(dir, {}, { cursor: a.r.nextCursor }));
    second.push(c.ms);
  }
  out.firstPage = { runs: first, median: median(first) };
  out.filteredPage = { runs: filt, median: median(filt), records: filteredCount };
  out.secondPage = { runs: second, median: median(second) };
  out.hwmKb = hwm('self');
  const v = await time(() => verifyAudit(dir));
  out.verify = { ms: v.ms, ok: v.r.ok, records: v.r.records, files: v.r.files };
  out.hwmAfterVerifyKb = hwm('self');
  return out;
}

function hwm(pid) {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}

/** Runs this script as a child in `mode`; the parent reads the child's VmHWM from /proc before it exits. */
function runChild(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let buf = '';
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? null : reject(new Error(`child ${args[0]} exited with ${code}`)),
    );
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const result = JSON.parse(buf.slice(0, nl));
      result.parentSeenHwmKb = hwm(child.pid);
      child.stdin.end();
      child.once('exit', () => resolvePromise(result));
    });
  });
}

async function childMain(mode, dir, runs) {
  const result = mode === '--query-child' ? await queryChild(dir, Number(runs)) : { hwmKb: hwm('self') };
  process.stdout.write(JSON.stringify(result) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

// ---- main ----
async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '5' },
      records: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '7' },
      dir: { type: 'string' },
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const total = Number(values.records);
  const runs = Number(values.runs);
  const work = mkdtempSync(join(values.dir ?? tmpdir(), 'umcp-bench-audit-'));
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    console.log(
      `unraid-mcp audit bench — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
    );
    console.log(`work dir ${work}\n`);

    const tp = await throughput(seconds, rounds, work);
    const sample = readFileSync(join(work, 'durable-0', 'audit.jsonl'), 'utf8')
      .split('\n', 2000)
      .filter(Boolean);
    const avgLine = sample.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0) / sample.length;
    const durable = tp.rows.find((r) => r.kind === 'durable');
    const baseline = tp.rows.find((r) => r.kind === 'baseline');
    const deviceMs = median(tp.deviceMs);
    console.log(
      `Append throughput, closed loop (median of ${rounds} alternating rounds of ${seconds} s for the fsync rows)`,
    );
    table(
      ['writer', 'writers', 'records/s', 'rounds', 'p50 ms', 'p99 ms', 'vs baseline'],
      tp.rows.map((r) => [
        r.name,
        r.writers,
        fmt(r.rps, 0),
        r.rounds.map((x) => fmt(x / 1000, 1) + 'k').join(' '),
        fmt(r.p50, 2),
        fmt(r.p99, 2),
        `${(r.rps / baseline.rps).toFixed(2)}x`,
      ]),
    );
    console.log(
      `disk: write 8 KB + fdatasync takes ${fmt(deviceMs, 2)} ms (median; per round ${tp.deviceMs.map((x) => x.toFixed(2)).join(' ')}),`,
    );
    console.log(
      `so ${WRITERS} writers that each wait for their fsync can reach at most ~${fmt((WRITERS / deviceMs) * 1000, 0)} records/s on this disk`,
    );
    console.log(`average stored line: ${avgLine.toFixed(0)} bytes\n`);

    const dataDir = join(work, 'million');
    console.log(`Generating ${total.toLocaleString('en')} records through AuditLog (10 MiB rotation)…`);
    const gen = await generate(dataDir, total);
    const files = readdirSync(dataDir).filter((n) => n.startsWith('audit.') && n.endsWith('.jsonl')).length;
    console.log(`  ${gen.seconds.toFixed(1)} s (${fmt(gen.rps, 0)} records/s non-durable), ${files} files\n`);

    const idle = await runChild(['--idle-child']);
    const q = await runChild(['--query-child', dataDir, String(runs)]);
    console.log(
      `Query over ${total.toLocaleString('en')} records in ${files} files (child process, median of ${runs} runs)`,
    );
    table(
      ['query', 'median ms', 'runs ms', 'records'],
      [
        [
          'first page, no filter (50 newest)',
          fmt(q.firstPage.median, 2),
          q.firstPage.runs.map((x) => x.toFixed(1)).join(' '),
          '50',
        ],
        [
          'second page via cursor',
          fmt(q.secondPage.median, 2),
          q.secondPage.runs.map((x) => x.toFixed(1)).join(' '),
          '50',
        ],
        [
          `filtered: tool=${RARE_TOOL} principal=${RARE_PRINCIPAL} (1 in 1000)`,
          fmt(q.filteredPage.median, 1),
          q.filteredPage.runs.map((x) => x.toFixed(0)).join(' '),
          String(q.filteredPage.records),
        ],
        [
          `verify whole chain (${q.verify.ok ? 'ok' : 'BROKEN'})`,
          fmt(q.verify.ms, 0),
          '1 run',
          String(q.verify.records),
        ],
      ],
    );
    console.log(
      `peak RSS (VmHWM) of the query child: ${(q.hwmKb / 1024).toFixed(1)} MB after all the queries, ${(q.parentSeenHwmKb / 1024).toFixed(1)} MB after also verifying every record; idle child with the same imports: ${(idle.parentSeenHwmKb / 1024).toFixed(1)} MB\n`,
    );

    const met = {
      throughput: durable.rps >= TARGET_RPS,
      firstPage: q.firstPage.median < TARGET_FIRST_PAGE_MS,
    };
    console.log('Targets');
    table(
      ['target', 'measured', 'result'],
      [
        [
          `durable append ≥ ${TARGET_RPS.toLocaleString('en')} records/s (16 writers)`,
          `${fmt(durable.rps, 0)} records/s (disk cap ~${fmt((WRITERS / deviceMs) * 1000, 0)})`,
          met.throughput ? 'met' : 'MISS',
        ],
        [
          `first page < ${TARGET_FIRST_PAGE_MS} ms over ${total.toLocaleString('en')} records`,
          `${fmt(q.firstPage.median, 2)} ms`,
          met.firstPage ? 'met' : 'MISS',
        ],
      ],
    );

    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(
      RESULTS,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: {
            node: process.version,
            cpus: cpus().length,
            cpuModel: cpus()[0]?.model,
            memGiB: totalmem() / 2 ** 30,
            kernel: release(),
          },
          settings: { writers: WRITERS, seconds, rounds, records: total, runs },
          throughput: tp.rows,
          deviceFdatasyncMs: {
            median: deviceMs,
            rounds: tp.deviceMs,
            capRecordsPerSecond: (WRITERS / deviceMs) * 1000,
          },
          averageLineBytes: avgLine,
          generation: { ...gen, files },
          query: q,
          idleChildHwmKb: idle.parentSeenHwmKb,
          targets: {
            durableRps: { target: TARGET_RPS, measured: durable.rps, met: met.throughput },
            firstPageMs: { target: TARGET_FIRST_PAGE_MS, measured: q.firstPage.median, met: met.firstPage },
          },
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`\nwrote ${RESULTS}`);
  } finally {
    cleanup();
  }
}

function fmt(n, digits) {
  return Number.isFinite(n)
    ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--query-child' || mode === '--idle-child') await childMain(mode, ...rest);
else await main();
