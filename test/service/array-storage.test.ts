import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import {
  admin,
  auditRecords,
  connect,
  createToken,
  makeServiceHost,
  openFilesUnder,
  persistentApprovals,
  persistentAudit,
  runHook,
  setArrayStarted,
  startSidecar,
  syslogLines,
  type ServiceHost,
  type Sidecar,
} from './service-host.js';

/**
 * The array's event hooks on a real `unraid-mcp serve` process: the audit log and the pending
 * approvals move to appdata when the array starts and back to RAM when it stops, each hook returning
 * only once the move is complete, with nothing lost, nothing doubled, the hash chain intact and no file
 * left open on the array.
 */
interface Confirmation {
  id: string;
  status: string;
  tool: string;
}
interface Status {
  audit: { dir: string; persistent: boolean; ok: boolean };
  storage: { location: string; problem: string | null };
}

let host: ServiceHost;
let secret: string;
let srv: Sidecar;
let client: Client;
let pendingId: string;

const PENDING_FILE = 'pending-confirmations.jsonl';
const pid = () => srv.pid;
const status = () => admin<Status>(host, 'GET', '/api/status');
const confirmations = async () =>
  (await admin<{ confirmations: Confirmation[] }>(host, 'GET', '/api/confirmations')).confirmations;
const auditFilesIn = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl'));
/** How many intent and outcome records each `marker` call has, over both folders. */
async function callRecords(marker: string): Promise<{ intent: number; outcome: number }> {
  const all = [...(await auditRecords(persistentAudit(host))), ...(await auditRecords(host.ramAudit))];
  const mine = all.filter((r) => JSON.stringify(r.args ?? {}).includes(marker));
  return {
    intent: mine.filter((r) => r.stage === 'intent').length,
    outcome: mine.filter((r) => r.stage === 'outcome').length,
  };
}
async function call(marker: string): Promise<void> {
  // vm_list's name filter carries the marker into the audit record's arguments.
  const r = await client.callTool({ name: 'vm_list', arguments: { name: marker } });
  expect(r.isError, JSON.stringify(r)).toBeFalsy();
}

beforeAll(async () => {
  host = await makeServiceHost({ arrayStarted: false });
  secret = await createToken(host, 'agent');
  srv = await startSidecar(host);
  client = await connect(srv.url, secret);
}, 30_000);

afterAll(async () => {
  await client?.close().catch(() => {});
  if (srv?.child.exitCode === null) await srv.stop();
  // A mount left by a failed read-only test must not outlive the run.
  try {
    execFileSync('umount', [host.appdata], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
});

describe('array event hooks', () => {
  it('starts in RAM while var.ini says the array is stopped', async () => {
    const s = await status();
    expect(s.storage).toMatchObject({ location: 'ram', problem: null });
    expect(s.audit).toMatchObject({ dir: host.ramAudit, persistent: false });
    await call('while-stopped');
  });

  it('disks_mounted moves the audit log and a pending approval to appdata', async () => {
    // An approval waiting for the owner (vm_pause is in approve mode; the call itself answers later).
    const waiting = client.callTool({ name: 'vm_pause', arguments: { id: 'test' } }).catch(() => null);
    for (let i = 0; i < 100 && !pendingId; i++) {
      pendingId = (await confirmations()).find((c) => c.status === 'pending')?.id ?? '';
      if (!pendingId) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pendingId).toMatch(/^pc_/);
    expect(await readFile(join(host.ramState, PENDING_FILE), 'utf8')).toContain(pendingId);

    await setArrayStarted(host, true);
    const hook = await runHook(host, 'disks_mounted');
    expect(hook.code).toBe(0);
    expect(hook.stdout).toBe(
      'unraid-mcp (disks_mounted): Audit log and pending approvals are on appdata (persistent).\n',
    );
    expect(await syslogLines(host)).toContain(
      'unraid-mcp: disks_mounted: Audit log and pending approvals are on appdata (persistent).',
    );

    const s = await status();
    expect(s.storage).toMatchObject({ location: 'persistent', problem: null });
    expect(s.audit).toMatchObject({ dir: persistentAudit(host), persistent: true, ok: true });
    // Moved, not copied: RAM holds no records and no approvals journal any more.
    expect(await auditFilesIn(host.ramAudit)).toEqual([]);
    expect(existsSync(join(host.ramState, PENDING_FILE))).toBe(false);
    expect(await readFile(join(persistentApprovals(host), PENDING_FILE), 'utf8')).toContain(pendingId);
    expect((await confirmations()).find((c) => c.id === pendingId)?.status).toBe('pending');
    // The log is written on appdata now: its file is open there (what the stop hook must undo).
    expect(await openFilesUnder(pid(), host.appdata)).toContain(join(persistentAudit(host), 'audit.jsonl'));

    // `started` follows disks_mounted: nothing left to move, same answer.
    expect((await runHook(host, 'started')).stdout).toContain('are on appdata (persistent)');
    await waiting;
    await call('while-started');
  }, 30_000);

  it('stopping moves both back to RAM and returns with no file open under appdata', async () => {
    await admin(host, 'POST', `/api/confirmations/${pendingId}/approve`, {});
    await setArrayStarted(host, false);
    const hook = await runHook(host, 'stopping');
    expect(hook.code).toBe(0);
    expect(hook.stdout).toBe(
      'unraid-mcp (stopping): Audit log and pending approvals are in RAM (lost at reboot).\n',
    );
    // Read the moment the hook returns: emhttpd unmounts the disks right after.
    expect(await openFilesUnder(pid(), host.appdata)).toEqual([]);
    expect((await runHook(host, 'unmounting_disks')).code).toBe(0);
    expect(await openFilesUnder(pid(), host.appdata)).toEqual([]);

    const s = await status();
    expect(s.storage.location).toBe('ram');
    expect(s.audit).toMatchObject({ dir: host.ramAudit, persistent: false, ok: true });
    expect(await readFile(join(host.ramState, PENDING_FILE), 'utf8')).toContain(pendingId);
    expect(existsSync(join(persistentApprovals(host), PENDING_FILE))).toBe(false);
    expect((await confirmations()).find((c) => c.id === pendingId)?.status).toBe('approved');
    await call('stopped-again');
  });

  it('keeps every record exactly once with the chain intact across the moves', async () => {
    for (const marker of ['while-stopped', 'while-started', 'stopped-again'])
      expect(await callRecords(marker), marker).toEqual({ intent: 1, outcome: 1 });
    const verify = await admin<{ ok: boolean; records: number }>(host, 'GET', '/api/audit/verify?full=1');
    expect(verify.ok).toBe(true);
    // Each hook's move is on record too.
    const events = [...(await auditRecords(persistentAudit(host))), ...(await auditRecords(host.ramAudit))]
      .filter((r) => r.event === 'admin.storage_moved')
      .map((r) => (r.details as { to: string }).to);
    expect(events).toEqual(['persistent', 'persistent', 'ram', 'ram']);
  });

  it('stays in RAM and says so when appdata is missing at the start hook', async () => {
    await setArrayStarted(host, true);
    await rename(host.appdata, `${host.appdata}.away`);
    try {
      const hook = await runHook(host, 'disks_mounted');
      expect(hook.code).toBe(0);
      expect(hook.stdout).toBe(
        `unraid-mcp (disks_mounted): Audit log and pending approvals are in RAM (lost at reboot): the appdata folder ${host.appdata} does not exist (is the array started?).\n`,
      );
      expect((await syslogLines(host)).at(-1)).toContain('does not exist');
      const s = await status();
      expect(s.storage.location).toBe('ram');
      expect(s.storage.problem).toContain(`${host.appdata} does not exist`);
      expect(s.audit.dir).toBe(host.ramAudit);
      // Nothing was created in its place (it would be in RAM, looking persistent).
      expect(existsSync(host.appdata)).toBe(false);
    } finally {
      await rename(`${host.appdata}.away`, host.appdata);
    }
    await call('after-missing');
  });

  it('stays in RAM and says so when appdata is read-only at the start hook', async () => {
    execFileSync('mount', ['--bind', host.appdata, host.appdata]);
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', host.appdata]);
      const hook = await runHook(host, 'disks_mounted');
      expect(hook.code).toBe(0);
      expect(hook.stdout).toContain(`the appdata folder ${host.appdata} is on a read-only file system`);
      const s = await status();
      expect(s.storage).toMatchObject({ location: 'ram' });
      expect(s.storage.problem).toContain('read-only');
      expect(s.audit.dir).toBe(host.ramAudit);
    } finally {
      execFileSync('umount', [host.appdata]);
    }
    // Once appdata is usable the next start hook moves everything, and the problem is gone.
    expect((await runHook(host, 'started')).stdout).toContain('are on appdata (persistent).\n');
    expect((await status()).storage).toMatchObject({ location: 'persistent', problem: null });
    await call('after-read-only');
  });

  it('a hook with the service stopped exits 0 with a plain line; the service starts in the right place', async () => {
    expect(await srv.stop()).toBe(0);
    const hook = await runHook(host, 'stopping');
    expect(hook).toMatchObject({
      code: 0,
      stdout:
        'unraid-mcp (stopping): unraid-mcp is not running: nothing to move; it keeps the audit log in RAM when it starts with the array stopped.\n',
    });
    // Started again with the array started: on appdata, the approval (decided while in RAM) still there.
    srv = await startSidecar(host);
    client = await connect(srv.url, secret);
    const s = await status();
    expect(s.storage).toMatchObject({ location: 'persistent', problem: null });
    expect(s.audit.dir).toBe(persistentAudit(host));
    expect((await confirmations()).find((c) => c.id === pendingId)?.status).toBe('approved');
    for (const marker of ['while-stopped', 'after-missing', 'after-read-only'])
      expect(await callRecords(marker), marker).toEqual({ intent: 1, outcome: 1 });
    expect((await admin<{ ok: boolean }>(host, 'GET', '/api/audit/verify?full=1')).ok).toBe(true);
  }, 30_000);
});
