// A realistic audit history for the benches that read one: tool calls as intent + outcome pairs, with
// confirmation and admin events, written by the real AuditLog (10 MiB rotation) of a build's dist/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const quiet = { debug() {}, info() {}, warn() {}, error: (m, f) => console.error(m, f) };

const TOOLS = [
  ['docker_list', 20],
  ['docker_inspect', 10],
  ['docker_logs', 12],
  ['system_overview', 14],
  ['system_disks', 6],
  ['vm_list', 8],
  ['docker_restart', 6],
  ['docker_start', 5],
  ['docker_stop', 4],
  ['vm_start', 3],
  ['vm_shutdown', 2],
];
const TOOL_WHEEL = TOOLS.flatMap(([t, w]) => Array(w).fill(t));
const PRINCIPALS = ['claude-desktop', 'cursor', 'home-assistant', 'nightly-script'];
const CONTAINERS = ['plex', 'sonarr', 'radarr', 'nextcloud', 'mariadb', 'swag', 'homeassistant', 'jellyfin'];
const VMS = ['Windows 11 (Gaming)', 'ubuntu-server', 'pfsense'];
export const STEP_MS = 2000; // one record every 2 s: 1,000,000 records span ~23 days

/** Entry number i of the generated log (calls take two entries; every 97th call adds a confirmation pair). */
function* entries(total, start) {
  let call = 0;
  let n = 0;
  const time = () => new Date(start + n * STEP_MS).toISOString();
  while (n < total) {
    const tool = TOOL_WHEEL[(call * 37) % TOOL_WHEEL.length];
    const principal = PRINCIPALS[call % PRINCIPALS.length];
    const vm = tool.startsWith('vm_');
    const ref = vm ? VMS[call % VMS.length] : CONTAINERS[call % CONTAINERS.length];
    const target =
      tool.endsWith('_list') || tool.startsWith('system_') ? null : { kind: vm ? 'vm' : 'container', ref };
    const args =
      tool === 'docker_logs' ? { id: ref, tail: 200, timestamps: true } : target ? { id: ref } : {};
    const id = `0190a3f2-${String(call % 65536)
      .padStart(5, '0')
      .slice(-4)}-7a5b-8c9d-${String(call).padStart(12, '0')}`;
    const destructive = /_(stop|restart|shutdown|start)$/.test(tool);
    const denied = call % 263 === 5;
    const base = {
      id,
      principal,
      client: { name: principal === 'cursor' ? 'cursor' : 'claude-code', version: '2.1.4' },
      session: `a1b2c3d4e5f6${String(call % 97).padStart(4, '0')}`,
      tool,
      target,
      args,
      decision: { allowed: !denied, rule: denied ? 'deny:container:mariadb' : null },
    };
    yield { ...base, time: time(), stage: 'intent' };
    n++;
    if (destructive && call % 97 === 3 && n < total) {
      yield {
        id: `${id}-c`,
        time: time(),
        stage: 'event',
        principal,
        event: 'confirmation.approved',
        tool,
        target,
        details: { by: 'webgui', waitedMs: 5400 },
      };
      n++;
    }
    if (n >= total) break;
    const failed = !denied && call % 41 === 7;
    yield {
      ...base,
      id: `${id}-o`,
      intent: id,
      time: time(),
      stage: 'outcome',
      ...(destructive ? { confirmation: { mode: 'approve', outcome: 'approved' } } : {}),
      result: denied
        ? { status: 'error', code: 'policy_denied', message: `${ref} is protected by a deny filter` }
        : failed
          ? { status: 'error', code: 'timeout', message: 'Docker did not answer within 30 s' }
          : { status: 'ok', code: null, message: null },
      durationMs: 12 + (call % 300),
    };
    n++;
    call++;
  }
}

async function generate(AuditLog, dir, total) {
  const log = new AuditLog({ dir, persistent: true, log: quiet, keepFiles: 1_000_000 });
  await log.open();
  const t0 = performance.now();
  let batch = [];
  for (const e of entries(total - 1, Date.now() - total * STEP_MS)) {
    batch.push(log.append(e, false));
    if (batch.length === 2000) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  await log.close(); // open() wrote one audit event: total records in all
  return (performance.now() - t0) / 1000;
}

/**
 * Writes `total` records into `dir` with the AuditLog of `dist` (a build's dist/ folder), unless the
 * folder already holds a log (kept from an earlier run with --log-dir); seconds taken, or null when reused.
 */
export async function prepareAuditHistory(dist, dir, total) {
  const { AuditLog } = await import(join(dist, 'server/safety/audit/audit-log.js'));
  if (existsSync(join(dir, 'audit.jsonl'))) {
    console.log(`reusing the log in ${dir}`);
    return null;
  }
  mkdirSync(dir, { recursive: true });
  console.log(
    `writing ${total.toLocaleString('en')} records through AuditLog (10 MiB rotation) into ${dir}…`,
  );
  const s = await generate(AuditLog, dir, total);
  console.log(`  ${s.toFixed(1)} s`);
  return s;
}
