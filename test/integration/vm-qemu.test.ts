import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testLibvirtd, virsh } from '../helpers/libvirtd.js';
import { readAudit, type AuditLine } from '../helpers/audit-file.js';
import { caller, resultText, vmShareDirs } from '../tools/vm/vm-helpers.js';

/**
 * The VM tools on a real libvirtd driving real qemu (emulated, no KVM needed): a tiny VM is created
 * through vm_create, run through its whole life — pause, snapshots on its qcow2 disk, a clean
 * shutdown the guest ignores (it has no OS), libvirtd crashing and coming back — and deleted with its
 * disk. Every effect is read back through virsh, a separate client of the same daemon. This is the
 * only test file that uses the suite's libvirtd, because it kills it: keep it that way.
 */
const NAME = `umcp qemu (${randomBytes(3).toString('hex')})`;
const WRITES = [
  'vm_create',
  'vm_stop',
  'vm_force_stop',
  'vm_restart',
  'vm_autostart',
  'vm_delete',
  'vm_snapshot_revert',
  'vm_snapshot_delete',
];
let srv: TestServer;
let client: Client;
let shares: Awaited<ReturnType<typeof vmShareDirs>>;
let uuid = '';
const call = caller(() => client);
const ok = async (name: string, args: Record<string, unknown>) => {
  const res = await call(name, args, 120_000);
  expect(res.isError, `${name}: ${resultText(res)}`).toBeFalsy();
  return res.structuredContent as Record<string, any>;
};

beforeAll(async () => {
  shares = await vmShareDirs();
  srv = await startTestServer({
    env: { LIBVIRT_URI: inject('libvirtUri'), ...shares.env },
    // Confirmations are covered on the test driver; here every call acts at once.
    policy: { confirmModes: Object.fromEntries(WRITES.map((t) => [t, 'none'])) },
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv?.close();
  if (uuid) {
    await virsh('destroy', uuid).catch(() => {});
    await virsh('undefine', uuid, '--snapshots-metadata').catch(() => {});
  }
  await shares?.cleanup();
});

describe('a qemu VM through its whole life', { timeout: 180_000 }, () => {
  it("talks to the suite's own libvirtd on its private socket", async () => {
    const uri = inject('libvirtUri');
    expect(uri).toBe(`qemu:///system?socket=${inject('libvirtDir')}/libvirt-sock`);
    expect(await virsh('uri')).toBe(uri);
  });

  it('is created from a spec with a new qcow2 disk and started', async () => {
    const created = await ok('vm_create', {
      name: NAME,
      memory: '64M',
      vcpus: 1,
      machine: 'pc',
      disks: [{ size: '32M', format: 'qcow2' }],
      bridge: null,
      graphics: false,
      virtualization: 'qemu',
    });
    uuid = created.uuid;
    const image = join(shares.domains, NAME, 'vdisk1.img');
    expect(created).toMatchObject({ name: NAME, state: 'shut off', disks: [{ path: image, created: true }] });
    expect((await readFile(image)).subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
    expect(await virsh('domstate', uuid)).toBe('shut off');
    const xml = await virsh('dumpxml', uuid);
    expect(xml).toContain("<domain type='qemu'");
    expect(xml).toContain(`<source file='${image}'/>`);

    expect(await ok('vm_start', { id: NAME })).toMatchObject({
      previousState: 'shut off',
      state: 'running',
      changed: true,
    });
    expect(await virsh('domstate', uuid)).toBe('running');
  });

  it('pauses and resumes', async () => {
    expect(await ok('vm_pause', { id: uuid })).toMatchObject({ state: 'paused' });
    expect(await virsh('domstate', uuid)).toBe('paused');
    expect(await ok('vm_resume', { id: NAME })).toMatchObject({ state: 'running' });
    expect(await virsh('domstate', uuid)).toBe('running');
  });

  it('sets autostart, read back by vm_list and virsh', async () => {
    await ok('vm_autostart', { id: NAME, enabled: true });
    const listed = await ok('vm_list', { name: NAME });
    expect(listed.vms).toEqual([expect.objectContaining({ name: NAME, autostart: true, state: 'running' })]);
    expect(await virsh('dominfo', uuid)).toMatch(/Autostart:\s+enable/);
    await ok('vm_autostart', { id: NAME, enabled: false });
    expect(await virsh('dominfo', uuid)).toMatch(/Autostart:\s+disable/);
  });

  it('takes, lists, reverts to and deletes snapshots on the qcow2 disk', async () => {
    const before = Date.now();
    await ok('vm_snapshot_create', { id: NAME, name: 'first', description: 'while running' });
    await ok('vm_snapshot_create', { id: NAME, name: 'second' });
    const listed = await ok('vm_snapshot_list', { id: NAME });
    expect(
      listed.snapshots.map((s: { name: string; state: string; current: boolean; parent: string | null }) => [
        s.name,
        s.state,
        s.current,
        s.parent,
      ]),
    ).toEqual([
      ['first', 'running', false, null],
      ['second', 'running', true, 'first'],
    ]);
    for (const s of listed.snapshots as Array<{ createdAt: string }>) {
      // Real creation times (whole seconds), not the time of the listing.
      expect(Date.parse(s.createdAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(Date.parse(s.createdAt)).toBeLessThanOrEqual(Date.now());
    }
    expect((await ok('vm_inspect', { id: NAME })).snapshotCount).toBe(2);

    expect(await ok('vm_snapshot_revert', { id: NAME, snapshot: 'first' })).toMatchObject({
      state: 'running',
    });
    expect(await virsh('snapshot-current', uuid, '--name')).toBe('first');
    const missing = await call('vm_snapshot_delete', { id: NAME, snapshot: 'third' });
    expect(resultText(missing)).toBe(
      `VM "${NAME}" has no snapshot named "third". Its snapshots: "first", "second".`,
    );
    await ok('vm_snapshot_delete', { id: NAME, snapshot: 'second' });
    await ok('vm_snapshot_delete', { id: NAME, snapshot: 'first' });
    expect(await virsh('snapshot-list', uuid, '--name')).toBe('');
  });

  it('reports a clean shutdown the guest ignores, with progress while waiting', async () => {
    const progress: number[] = [];
    const res = await client.callTool({ name: 'vm_stop', arguments: { id: NAME, timeout: 3 } }, undefined, {
      timeout: 60_000,
      onprogress: (p) => progress.push(p.progress),
    });
    expect(res.isError).toBe(true);
    expect(resultText(res as never)).toMatch(
      new RegExp(
        `^VM "${NAME.replace(/[()]/g, '\\$&')}" did not shut down within 3 s and is still running: the guest ignored the ACPI shutdown request`,
      ),
    );
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(await virsh('domstate', uuid)).toBe('running');
  });

  it('serialises changes to one VM: a pause waits for a running shutdown wait to end', async () => {
    const done: string[] = [];
    const stop = call('vm_stop', { id: NAME, timeout: 2 }).then((r) => (done.push('stop'), r));
    await new Promise((r) => setTimeout(r, 300));
    const pause = call('vm_pause', { id: NAME }).then((r) => (done.push('pause'), r));
    const [stopped, paused] = await Promise.all([stop, pause]);
    expect(done).toEqual(['stop', 'pause']);
    expect(stopped.isError).toBe(true);
    expect(paused.structuredContent).toMatchObject({ previousState: 'running', state: 'paused' });
    await ok('vm_resume', { id: NAME });
  });

  it('stops waiting when the client cancels, audits it, and leaves the guest running', async () => {
    const abort = new AbortController();
    const pending = client.callTool({ name: 'vm_stop', arguments: { id: NAME, timeout: 60 } }, undefined, {
      timeout: 60_000,
      signal: abort.signal,
    });
    await new Promise((r) => setTimeout(r, 1000));
    abort.abort();
    await expect(pending).rejects.toThrow();
    let outcome: AuditLine | undefined;
    for (let i = 0; i < 50 && !outcome; i++) {
      await new Promise((r) => setTimeout(r, 100));
      outcome = (await readAudit(srv.env.auditDir))
        .filter((r) => r.tool === 'vm_stop' && r.stage === 'outcome')
        .at(-1);
    }
    expect(outcome).toMatchObject({ result: { status: 'error', code: 'cancelled' } });
    expect(await virsh('domstate', uuid)).toBe('running');
  });

  it('survives libvirtd crashing: a clear error while it is down, back without a sidecar restart', async () => {
    const libvirtd = testLibvirtd();
    await libvirtd.kill();
    try {
      const down = await call('vm_list', {});
      expect(resultText(down)).toBe(
        'The VM service is not running. Start it in Settings → VM Manager, then try again.',
      );
      await new Promise((r) => setTimeout(r, 2100)); // past /readyz's cached answer
      const ready = await fetch(`${srv.origin}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/libvirt/);
    } finally {
      await libvirtd.start();
    }
    const listed = await ok('vm_list', { name: NAME });
    // qemu outlives its libvirtd: the guest is still running.
    expect(listed.vms).toEqual([expect.objectContaining({ name: NAME, state: 'running' })]);
  });

  it('is forced off and deleted with its disk and its snapshot metadata', async () => {
    await ok('vm_snapshot_create', { id: NAME, name: 'left behind' });
    expect(await ok('vm_force_stop', { id: NAME })).toMatchObject({
      previousState: 'running',
      state: 'shut off',
    });
    const image = join(shares.domains, NAME, 'vdisk1.img');
    const deleted = await ok('vm_delete', { id: NAME, deleteDisks: true });
    expect(deleted).toMatchObject({ name: NAME, deletedDisks: [image], keptDisks: [] });
    expect(existsSync(image)).toBe(false);
    expect(existsSync(join(shares.domains, NAME))).toBe(false);
    await expect(virsh('domstate', uuid)).rejects.toThrow(/failed to get domain|Domain not found/i);
    uuid = '';
  });
});
