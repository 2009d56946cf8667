import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PendingApprovals,
  PENDING_FILE,
  type NewPending,
} from '../../../server/safety/confirm/pending-approvals.js';
import { silentLogger } from '../../../server/log.js';

const request: NewPending = {
  principal: 'claude',
  client: { name: 'claude-code', version: '2.0' },
  tool: 'docker_remove',
  target: { kind: 'container', id: 'abc', name: 'plex' },
  args: { id: 'plex' },
  description: 'Remove container "plex"',
  binding: { tokenId: 't1', tool: 'docker_remove', target: 'container:abc', argsHash: 'h' },
};

async function store(now = { t: Date.parse('2026-11-21T12:00:00Z') }) {
  const dir = await mkdtemp(join(tmpdir(), 'umcp-pending-'));
  const s = new PendingApprovals({ stateDir: dir, log: silentLogger, now: () => now.t });
  await s.load();
  return { dir, s, now };
}

describe('PendingApprovals', () => {
  it('survives a restart: a pending entry created before is approvable after', async () => {
    const { dir, s, now } = await store();
    const e = await s.create(request, 3_600_000);
    expect((await stat(join(dir, PENDING_FILE))).mode & 0o777).toBe(0o600);
    // The restarted store reads the same clock: entries live by it, not by the wall clock of the run.
    const again = new PendingApprovals({ stateDir: dir, log: silentLogger, now: () => now.t });
    await again.load();
    expect(again.get(e.id)).toMatchObject({ status: 'pending', tool: 'docker_remove' });
    await again.decide(e.id, 'approved', 'webgui', null);
    expect(await again.consume(e.id, request.binding)).toMatchObject({ ok: true });
    expect(await again.consume(e.id, request.binding)).toMatchObject({ ok: false, reason: 'used' });
  });

  it('refuses consuming for another action, or while pending, or after denial', async () => {
    const { s } = await store();
    const e = await s.create(request, 3_600_000);
    expect(await s.consume(e.id, { ...request.binding, argsHash: 'other' })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(await s.consume(e.id, request.binding)).toMatchObject({ ok: false, reason: 'pending' });
    await s.decide(e.id, 'denied', 'cli', 'not now');
    expect(await s.consume(e.id, request.binding)).toMatchObject({
      ok: false,
      reason: 'denied',
      entry: { reason: 'not now', decidedBy: 'cli' },
    });
    await expect(s.decide(e.id, 'approved', 'webgui', null)).rejects.toThrow('is already denied');
  });

  it('expires entries and refuses deciding them', async () => {
    const { s, now } = await store();
    const e = await s.create(request, 1000);
    now.t += 1000;
    expect(s.get(e.id)?.status).toBe('expired');
    await expect(s.decide(e.id, 'approved', 'webgui', null)).rejects.toThrow('is already expired');
  });

  it('wakes a waiting call as soon as the owner decides, with progress ticks meanwhile', async () => {
    const { s } = await store({ t: Date.now() });
    const e = await s.create(request, 3_600_000);
    const ticks: number[] = [];
    const waiting = s.waitForDecision(e.id, 10_000, new AbortController().signal, (ms) => ticks.push(ms), 20);
    await new Promise((r) => setTimeout(r, 150));
    await s.decide(e.id, 'approved', 'webgui', null);
    expect((await waiting)?.status).toBe('approved');
    expect(ticks.length).toBeGreaterThanOrEqual(2);
  });

  it('moves an unreadable file aside instead of trusting it', async () => {
    const { dir } = await store();
    await writeFile(join(dir, PENDING_FILE), '[{"id": "pc_x", "status": "approved"');
    const s = new PendingApprovals({ stateDir: dir, log: silentLogger });
    await s.load();
    expect(s.list()).toEqual([]);
    expect((await readdir(dir)).some((f) => f.startsWith(`${PENDING_FILE}.corrupt-`))).toBe(true);
  });
});
