import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../server/log.js';
import {
  PENDING_FILE,
  PendingApprovals,
  type NewPending,
  type PendingConfirmation,
} from '../../server/safety/confirm/pending-approvals.js';

/**
 * The pending-approvals journal follows the audit log between RAM and appdata: moved whole, merged
 * with what an earlier run left at the destination (a copy further along wins, so a used approval
 * never comes back as approved), and left where it was when the destination cannot be written.
 */
const request = (n: number): NewPending => ({
  principal: 'agent',
  client: null,
  tool: 'vm_pause',
  target: { kind: 'vm', id: `vm${n}`, name: `vm${n}` },
  args: { id: `vm${n}` },
  description: `Pause VM "vm${n}"`,
  binding: { tokenId: 'tok', tool: 'vm_pause', target: `vm${n}`, argsHash: `h${n}` },
});
const binding = (n: number) => request(n).binding;
const journalIds = async (dir: string) =>
  (await readFile(join(dir, PENDING_FILE), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PendingConfirmation);

async function dirs() {
  const root = await mkdtemp(join(tmpdir(), 'umcp-approvals-'));
  return { root, ram: join(root, 'ram'), appdata: join(root, 'appdata') };
}

describe('pending approvals journal moves', () => {
  it('moves whole: every entry and its state, nothing left behind, later changes in the new place', async () => {
    const d = await dirs();
    const store = new PendingApprovals({ stateDir: d.ram, log: silentLogger });
    await store.load();
    const a = await store.create(request(1), 60_000);
    const b = await store.create(request(2), 60_000);
    await store.decide(b.id, 'approved', 'webgui', null);
    const moved = await store.relocate(d.appdata);
    expect(moved).toMatchObject({ from: d.ram, to: d.appdata, entries: 2, merged: 0 });
    expect(existsSync(join(d.ram, PENDING_FILE))).toBe(false);
    expect(store.dir).toBe(d.appdata);
    await store.decide(a.id, 'denied', 'webgui', 'no');
    // A restart reading the new place sees both, as they stand.
    const again = new PendingApprovals({ stateDir: d.appdata, log: silentLogger });
    await again.load();
    expect(again.get(a.id)?.status).toBe('denied');
    expect(again.get(b.id)?.status).toBe('approved');
  });

  it('merges a journal left at the destination; the entry further along wins', async () => {
    const d = await dirs();
    // Before a reboot, on appdata: a request that will wait through it.
    const before = new PendingApprovals({ stateDir: d.appdata, log: silentLogger });
    await before.load();
    const older = await before.create(request(2), 3_600_000);

    // On appdata: approved, then moved to RAM — but the old file survived the move (a crash before
    // its delete), so appdata still says "approved" when the approval is used in RAM.
    const store = new PendingApprovals({ stateDir: d.appdata, log: silentLogger });
    await store.load();
    const used = await store.create(request(1), 3_600_000);
    await store.decide(used.id, 'approved', 'webgui', null);
    await store.relocate(d.ram);
    await writeFile(join(d.appdata, PENDING_FILE), await readFile(join(d.ram, PENDING_FILE)));
    expect((await store.consume(used.id, binding(1))).ok).toBe(true);
    const fresh = await store.create(request(3), 3_600_000);

    // The array starts: back to appdata, merged with the stale copy there.
    expect((await store.relocate(d.appdata)).merged).toBe(0);
    const onDisk = await journalIds(d.appdata);
    expect(onDisk.find((e) => e.id === used.id)?.status).toBe('used');
    expect(onDisk.map((e) => e.id).sort()).toEqual([used.id, older.id, fresh.id].sort());
    // Used means used: the stale "approved" copy did not bring it back.
    expect((await store.consume(used.id, binding(1))).ok).toBe(false);
    const restarted = new PendingApprovals({ stateDir: d.appdata, log: silentLogger });
    await restarted.load();
    expect(restarted.get(used.id)?.status).toBe('used');
  });

  it('takes in what a stopped service missed: leftovers merged at load, then removed', async () => {
    const d = await dirs();
    const inRam = new PendingApprovals({ stateDir: d.ram, log: silentLogger });
    await inRam.load();
    const waiting = await inRam.create(request(1), 3_600_000);
    // The array started while the service was stopped: it starts on appdata with RAM's journal left.
    const store = new PendingApprovals({ stateDir: d.appdata, log: silentLogger });
    await store.load([d.ram]);
    expect(store.get(waiting.id)?.status).toBe('pending');
    expect(existsSync(join(d.ram, PENDING_FILE))).toBe(false);
    expect((await journalIds(d.appdata)).map((e) => e.id)).toEqual([waiting.id]);
  });

  it('stays where it is when the destination cannot be written', async () => {
    const d = await dirs();
    const store = new PendingApprovals({ stateDir: d.ram, log: silentLogger });
    await store.load();
    const a = await store.create(request(1), 60_000);
    // A file where the folder should be: nothing can be created below it.
    await writeFile(d.appdata, 'not a folder');
    await expect(store.relocate(join(d.appdata, 'approvals'))).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(store.dir).toBe(d.ram);
    await store.decide(a.id, 'approved', 'webgui', null);
    expect((await journalIds(d.ram)).at(-1)).toMatchObject({ id: a.id, status: 'approved' });
  });
});
