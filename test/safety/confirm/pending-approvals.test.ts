import { describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readFile, writeFile, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PendingApprovals,
  PENDING_FILE,
  type NewPending,
} from '../../../server/safety/confirm/pending-approvals.js';
import { silentLogger } from '../../../server/log.js';
import {
  MAX_PENDING_PER_TOKEN,
  MAX_PENDING_TOTAL,
  TooManyPending,
} from '../../../server/safety/confirm/pending-limits.js';

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

describe('PendingApprovals: the journal', () => {
  it('writes one line per change, not the whole set', async () => {
    const { dir, s } = await store();
    for (let i = 0; i < 15; i++)
      await s.create({ ...request, binding: { ...request.binding, tokenId: `t${i}` } }, 3_600_000);
    const path = join(dir, PENDING_FILE);
    const before = (await stat(path)).size;
    const e = await s.create(request, 3_600_000);
    const afterCreate = (await stat(path)).size;
    expect(afterCreate - before).toBe(Buffer.byteLength(JSON.stringify(e)) + 1);
    const decided = await s.decide(e.id, 'denied', 'webgui', null);
    expect((await stat(path)).size - afterCreate).toBe(Buffer.byteLength(JSON.stringify(decided)) + 1);
  });

  it('a change cut off by a crash loses only that change; the earlier ones survive the restart', async () => {
    const { dir, s, now } = await store();
    const kept = await s.create(request, 3_600_000);
    const path = join(dir, PENDING_FILE);
    const approved = await s.decide(kept.id, 'approved', 'webgui', null);
    // The crash: the append of "used" was cut off half-way (the tool never ran: consume had not returned).
    await appendFile(path, JSON.stringify({ ...approved, status: 'used' }).slice(0, 40));
    const again = new PendingApprovals({ stateDir: dir, log: silentLogger, now: () => now.t });
    await again.load();
    expect(again.get(kept.id)?.status).toBe('approved');
    expect((await readdir(dir)).some((f) => f.startsWith(`${PENDING_FILE}.corrupt-`))).toBe(true);
    // Compacted at load: the cut-off line is gone, so later appends follow clean lines.
    expect((await readFile(path, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
    expect(await again.consume(kept.id, request.binding)).toMatchObject({ ok: true });
  });

  it('a damaged line before the end sets the whole journal aside: no approval is trusted', async () => {
    const { dir, s, now } = await store();
    const e = await s.create(request, 3_600_000);
    await s.decide(e.id, 'approved', 'webgui', null);
    const path = join(dir, PENDING_FILE);
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, [lines[0], '{"damaged', lines[1], ''].join('\n'));
    const again = new PendingApprovals({ stateDir: dir, log: silentLogger, now: () => now.t });
    await again.load();
    expect(again.list()).toEqual([]);
    expect(await again.consume(e.id, request.binding)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('compacts as it goes: 1,200 changes while few entries are kept leave a small file', async () => {
    const { dir, s, now } = await store();
    for (let i = 0; i < 600; i++) {
      const e = await s.create(request, 3_600_000);
      await s.decide(e.id, 'denied', 'webgui', null);
      now.t += 25 * 3_600_000; // decided entries are kept a day, then dropped
    }
    const kept = s.list().length;
    expect(kept).toBeLessThanOrEqual(2);
    const lines = (await readFile(join(dir, PENDING_FILE), 'utf8')).split('\n').filter(Boolean);
    // Never one line per change ever made: at most twice the entries kept, plus a hundred.
    expect(lines.length).toBeLessThanOrEqual(2 * kept + 101);
  });

  it('reads the whole-set file of earlier versions once, then keeps to the journal', async () => {
    const { dir, s, now } = await store();
    const e = await s.create(request, 3_600_000);
    const legacy = join(dir, 'pending-confirmations.json');
    await writeFile(legacy, JSON.stringify([e]));
    await rm(join(dir, PENDING_FILE));
    const again = new PendingApprovals({ stateDir: dir, log: silentLogger, now: () => now.t });
    await again.load();
    expect(again.get(e.id)?.status).toBe('pending');
    expect(existsSync(legacy)).toBe(false);
    expect(JSON.parse(await readFile(join(dir, PENDING_FILE), 'utf8'))).toMatchObject({ id: e.id });
  });
});

describe('PendingApprovals: limits', () => {
  const from = (tokenId: string): NewPending => ({ ...request, binding: { ...request.binding, tokenId } });

  it(`refuses a token's request beyond ${MAX_PENDING_PER_TOKEN} waiting, writing nothing; others still queue`, async () => {
    const { dir, s } = await store();
    for (let i = 0; i < MAX_PENDING_PER_TOKEN; i++) await s.create(from('t1'), 3_600_000);
    const size = (await stat(join(dir, PENDING_FILE))).size;
    const err = await s.create(from('t1'), 3_600_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyPending);
    expect(err).toMatchObject({
      scope: 'token',
      waiting: MAX_PENDING_PER_TOKEN,
      limit: MAX_PENDING_PER_TOKEN,
    });
    expect((await stat(join(dir, PENDING_FILE))).size).toBe(size);
    expect(s.limitReached('t2')).toBeNull();
    await s.create(from('t2'), 3_600_000);
  });

  it(`refuses anyone once ${MAX_PENDING_TOTAL} wait in total`, async () => {
    const { s } = await store();
    for (let i = 0; i < MAX_PENDING_TOTAL; i++) await s.create(from(`t${i % 10}`), 3_600_000 + i);
    expect(s.limitReached('newcomer')).toMatchObject({
      scope: 'total',
      waiting: MAX_PENDING_TOTAL,
      limit: MAX_PENDING_TOTAL,
      nextExpiry: new Date(Date.parse('2026-11-21T12:00:00Z') + 3_600_000).toISOString(),
    });
    await expect(s.create(from('newcomer'), 3_600_000)).rejects.toBeInstanceOf(TooManyPending);
  });

  it('decided and expired requests free their place', async () => {
    const { s, now } = await store();
    const first = await s.create(from('t1'), 1000);
    for (let i = 1; i < MAX_PENDING_PER_TOKEN; i++) await s.create(from('t1'), 3_600_000);
    expect(s.limitReached('t1')).not.toBeNull();
    await s.decide(first.id, 'denied', 'webgui', null);
    expect(s.limitReached('t1')).toBeNull();
    const second = await s.create(from('t1'), 1000);
    expect(s.limitReached('t1')).not.toBeNull();
    now.t += 1000;
    expect(s.get(second.id)?.status).toBe('expired');
    expect(s.limitReached('t1')).toBeNull();
  });
});
