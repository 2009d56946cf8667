import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { bindingMismatch, type ConfirmationBinding } from './binding.js';
import { EntryJournal } from './entry-journal.js';
import { pendingLimitReached, type TooManyPending } from './pending-limits.js';

/** The journal of changes (see entry-journal.ts). */
export const PENDING_FILE = 'pending-confirmations.jsonl';
/** Earlier versions rewrote the whole set as one JSON array here; read once at load, then removed. */
const LEGACY_FILE = 'pending-confirmations.json';

const entrySchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  principal: z.string(),
  client: z.object({ name: z.string(), version: z.string() }).nullable(),
  tool: z.string(),
  target: z.object({ kind: z.string(), id: z.string(), name: z.string() }).nullable(),
  args: z.unknown(),
  description: z.string(),
  binding: z.object({ tokenId: z.string(), tool: z.string(), target: z.string(), argsHash: z.string() }),
  status: z.enum(['pending', 'approved', 'denied', 'expired', 'used']),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  /**
   * What the approved call answered, once it ran: a retry with the same confirmation_id gets it
   * back (the client may have given up waiting before the owner decided).
   */
  outcome: z.object({ at: z.string(), answer: z.unknown() }).nullable().default(null),
});
export type PendingConfirmation = z.infer<typeof entrySchema>;
export type NewPending = Omit<
  PendingConfirmation,
  'id' | 'createdAt' | 'expiresAt' | 'status' | 'decidedBy' | 'decidedAt' | 'reason' | 'outcome'
>;

export type ConsumeResult =
  | { ok: true; entry: PendingConfirmation }
  | {
      ok: false;
      reason: 'unknown' | 'pending' | 'denied' | 'expired' | 'used' | 'mismatch';
      entry?: PendingConfirmation;
    };

/** What a move of the journal did (array start/stop, see relocate). */
export interface ApprovalsMove {
  from: string;
  to: string;
  /** Entries kept after the move. */
  entries: number;
  /** Entries taken from a journal already in the destination (left by an earlier run). */
  merged: number;
}

/**
 * How far an entry has got: a copy further along wins when two journals hold the same entry (so a
 * used approval can never come back as approved), the one in memory on a tie.
 */
const progress = (e: PendingConfirmation) =>
  (e.status === 'pending' ? 0 : e.status === 'used' ? 4 : 2) + (e.outcome ? 1 : 0);

/** How long decided entries stay visible in the WebGUI history. */
const KEEP_DECIDED_MS = 24 * 3_600_000;
const MAX_ENTRIES = 1000;
/** The largest answer of an approved call kept with its approval (see recordOutcome). */
const MAX_OUTCOME_BYTES = 64 * 1024;

/**
 * Approvals waiting for the owner (`approve` mode). Kept next to the audit log — on appdata while the
 * array is started (surviving a reboot), in the RAM state directory while it is stopped (surviving a
 * sidecar restart); relocate() follows the array's moves (safety/data-placement.ts). Each change
 * appends one line to a journal, compacted at load and when it grows (entry-journal.ts). At most
 * MAX_PENDING_PER_TOKEN / MAX_PENDING_TOTAL wait at once (pending-limits.ts). Only the admin API decides; MCP callers can wait for a decision and consume an
 * approval bound to exactly their action.
 */
export class PendingApprovals {
  readonly events = new EventEmitter();
  private entries = new Map<string, PendingConfirmation>();
  private writing: Promise<void> = Promise.resolve();
  private journal: EntryJournal<PendingConfirmation>;

  /** `stateDir`: where the journal is at start (RAM, or appdata while the array is started). */
  constructor(private readonly opts: { stateDir: string; log: Logger; now?: () => number }) {
    this.events.setMaxListeners(0);
    this.journal = new EntryJournal(join(opts.stateDir, PENDING_FILE), entrySchema);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** The folder the journal is in now. */
  get dir(): string {
    return dirname(this.journal.path);
  }

  /**
   * Loads what survived a restart, then compacts the journal. A damaged journal is set aside whole:
   * losing a pending request is safe, approving one by accident is not. A last line cut off by a crash
   * is only dropped (its change never completed); the lines before it are kept. Journals in
   * `leftovers` (the other place the journal lives, RAM or appdata, when a move did not happen
   * because the service was not running) are merged in and removed once the merged set is written.
   */
  async load(leftovers: string[] = []): Promise<void> {
    const read = await this.journal.read();
    if (read.state === 'corrupt') {
      const aside = await this.moveAside();
      this.opts.log.error(
        'pending confirmations file was unreadable; moved aside, pending requests must be made again',
        { aside, line: read.line, reason: read.reason },
      );
      return;
    }
    if (read.state === 'missing') {
      this.entries = new Map((await this.loadLegacy()).map((e) => [e.id, e]));
    } else {
      if (read.tornTail) {
        const aside = await this.journal.setAside(`corrupt-${this.now()}`).catch(() => null);
        const msg =
          'last pending-confirmation change was cut off (stopped mid-write); kept the ones before it';
        this.opts.log.warn(msg, { aside });
      }
      this.entries = new Map(read.records.map((e) => [e.id, e]));
    }
    const others = leftovers
      .filter((d) => resolve(d) !== resolve(this.dir))
      .map((d) => new EntryJournal(join(d, PENDING_FILE), entrySchema));
    let merged = 0;
    for (const other of others) merged += await this.mergeFrom(other);
    this.prune();
    this.expireDue();
    if (read.state === 'missing' && !this.entries.size && !merged) return;
    await this.writing;
    try {
      await this.journal.compact(this.entries.values());
      for (const other of others) await removeFile(other.path);
      if (merged) this.opts.log.info('pending confirmations merged from their other place', { merged });
    } catch (err) {
      this.opts.log.error('could not compact pending confirmations', { err });
    }
  }

  /**
   * Moves the journal to `dir` (array start: RAM → appdata; array stop: appdata → RAM), in order with
   * every other change: the whole set, merged with a journal an earlier run left in `dir`, is written
   * there atomically, then later changes go there and the old file is deleted. A crash in between
   * leaves both files; load() merges them (the one further along wins), so nothing is lost and an
   * approval is never used twice. No file stays open in either folder (each change opens, appends,
   * closes). Rejects, leaving the journal where it was, when `dir` cannot be written.
   */
  relocate(dir: string): Promise<ApprovalsMove> {
    const run = this.writing.then(() => this.relocateNow(dir));
    this.writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async relocateNow(dir: string): Promise<ApprovalsMove> {
    const from = this.journal;
    const fromDir = this.dir;
    if (resolve(dir) === resolve(fromDir))
      return { from: fromDir, to: dir, entries: this.entries.size, merged: 0 };
    const to = new EntryJournal(join(dir, PENDING_FILE), entrySchema);
    const merged = await this.mergeFrom(to);
    this.prune();
    await to.compact(this.entries.values());
    this.journal = to;
    await removeFile(from.path);
    return { from: fromDir, to: dir, entries: this.entries.size, merged };
  }

  /** Takes the entries of `other` this set lacks or has at an earlier stage; returns how many. */
  private async mergeFrom(other: EntryJournal<PendingConfirmation>): Promise<number> {
    const read = await other.read();
    if (read.state === 'missing') return 0;
    if (read.state === 'corrupt') {
      const aside = `${other.path}.corrupt-${this.now()}`;
      await rename(other.path, aside).catch(() => {});
      this.opts.log.error(
        'pending confirmations file was unreadable; moved aside, pending requests must be made again',
        { aside, line: read.line, reason: read.reason },
      );
      return 0;
    }
    let merged = 0;
    for (const e of read.records) {
      const mine = this.entries.get(e.id);
      if (mine && progress(mine) >= progress(e)) continue;
      this.entries.set(e.id, e);
      merged++;
    }
    return merged;
  }

  /** Moves an untrustworthy journal out of the way (kept for whoever looks into it). */
  private async moveAside(): Promise<string> {
    const aside = `${this.journal.path}.corrupt-${this.now()}`;
    await rename(this.journal.path, aside).catch(() => {});
    return aside;
  }

  /** The whole-set JSON file of earlier versions, if one is left over from before an upgrade. */
  private async loadLegacy(): Promise<PendingConfirmation[]> {
    const path = join(this.opts.stateDir, LEGACY_FILE);
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) return [];
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // reported below
    }
    const parsed = z.array(entrySchema).safeParse(json);
    if (!parsed.success) {
      const aside = `${path}.corrupt-${this.now()}`;
      await rename(path, aside).catch(() => {});
      this.opts.log.error(
        'pending confirmations file was unreadable; moved aside, pending requests must be made again',
        { aside },
      );
      return [];
    }
    // Its entries go into the journal with load's compaction; the old file is not read again.
    await unlink(path).catch(() => {});
    return parsed.data;
  }

  list(): PendingConfirmation[] {
    this.expireDue();
    return [...this.entries.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): PendingConfirmation | undefined {
    this.expireDue();
    return this.entries.get(id);
  }

  /** Null when `tokenId` may queue one more request, else the limit it has reached. */
  limitReached(tokenId: string): TooManyPending | null {
    this.expireDue();
    const waiting = [...this.entries.values()].filter((e) => e.status === 'pending');
    return pendingLimitReached(waiting, tokenId);
  }

  /** Queues a request for the owner. Throws TooManyPending when a limit is reached (checked here, atomically). */
  async create(input: NewPending, ttlMs: number): Promise<PendingConfirmation> {
    const full = this.limitReached(input.binding.tokenId);
    if (full) throw full;
    const now = this.now();
    const entry: PendingConfirmation = {
      ...input,
      id: `pc_${randomBytes(9).toString('base64url')}`,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      reason: null,
      outcome: null,
    };
    this.entries.set(entry.id, entry);
    this.prune();
    await this.persist(entry);
    return entry;
  }

  /** The owner's decision. Refused unless the entry exists and is still pending. */
  async decide(
    id: string,
    decision: 'approved' | 'denied',
    by: string,
    reason: string | null,
  ): Promise<PendingConfirmation> {
    const entry = this.get(id);
    if (!entry) throw new Error(`no pending confirmation "${id}"`);
    if (entry.status !== 'pending') throw new Error(`confirmation "${id}" is already ${entry.status}`);
    const decided = {
      ...entry,
      status: decision,
      decidedBy: by,
      decidedAt: new Date(this.now()).toISOString(),
      reason,
    };
    this.entries.set(id, decided);
    await this.persist(decided);
    return decided;
  }

  /**
   * Keeps what the approved call answered (bounded: an answer over MAX_OUTCOME_BYTES keeps only a
   * note saying so), for a retry that comes after the client stopped waiting.
   */
  async recordOutcome(id: string, answer: unknown): Promise<void> {
    const entry = this.get(id);
    if (!entry || entry.status !== 'used') return;
    const json = JSON.stringify(answer) ?? 'null';
    const kept =
      Buffer.byteLength(json) <= MAX_OUTCOME_BYTES
        ? answer
        : {
            isError: false,
            content: [
              {
                type: 'text',
                text: `The action ran; its answer (${Buffer.byteLength(json)} bytes) was too large to keep.`,
              },
            ],
          };
    const done = { ...entry, outcome: { at: new Date(this.now()).toISOString(), answer: kept } };
    this.entries.set(id, done);
    await this.persist(done);
  }

  /** Uses an approval for exactly the action it was given for; single use. */
  async consume(id: string, binding: ConfirmationBinding): Promise<ConsumeResult> {
    const entry = this.get(id);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (bindingMismatch(entry.binding, binding)) return { ok: false, reason: 'mismatch', entry };
    if (entry.status !== 'approved')
      return { ok: false, reason: entry.status === 'pending' ? 'pending' : entry.status, entry };
    const used = { ...entry, status: 'used' as const };
    this.entries.set(id, used);
    await this.persist(used);
    return { ok: true, entry: used };
  }

  /**
   * Waits until the entry is decided or expires, or `ms` pass, or the signal aborts; calls `tick`
   * every `tickMs` meanwhile (progress notifications). Returns the entry as it then stands.
   */
  async waitForDecision(
    id: string,
    ms: number,
    signal: AbortSignal,
    tick: (elapsedMs: number) => void,
    tickMs = 5000,
  ): Promise<PendingConfirmation | undefined> {
    const started = this.now();
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(deadline);
        clearInterval(ticker);
        this.events.off('change', onChange);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const onChange = (e: PendingConfirmation) => {
        if (e.id === id && e.status !== 'pending') finish();
      };
      const entry = this.get(id);
      const untilExpiry = entry ? Date.parse(entry.expiresAt) - this.now() : 0;
      const deadline = setTimeout(finish, Math.max(0, Math.min(ms, untilExpiry)));
      const ticker = setInterval(() => tick(this.now() - started), tickMs);
      this.events.on('change', onChange);
      signal.addEventListener('abort', finish, { once: true });
      if (!entry || entry.status !== 'pending' || signal.aborted) finish();
    });
    return this.get(id);
  }

  private expireDue(): void {
    const now = this.now();
    for (const e of this.entries.values()) {
      if (e.status === 'pending' && Date.parse(e.expiresAt) <= now) {
        const expired = { ...e, status: 'expired' as const };
        this.entries.set(e.id, expired);
        void this.persist(expired);
      }
    }
  }

  private prune(): void {
    const now = this.now();
    for (const e of this.entries.values()) {
      if (e.status !== 'pending' && now - Date.parse(e.decidedAt ?? e.expiresAt) > KEEP_DECIDED_MS)
        this.entries.delete(e.id);
    }
    const excess = this.entries.size - MAX_ENTRIES;
    if (excess > 0)
      [...this.entries.values()]
        .filter((e) => e.status !== 'pending')
        .slice(0, excess)
        .forEach((e) => this.entries.delete(e.id));
  }

  /**
   * Appends the change to the journal (in order; compacting it when it has grown well past the
   * entries kept), then tells listeners (WebGUI stream, waiting calls).
   */
  private persist(changed: PendingConfirmation): Promise<void> {
    this.writing = this.writing
      .then(async () => {
        await this.journal.append(changed);
        if (this.journal.needsCompaction(this.entries.size))
          await this.journal.compact(this.entries.values());
      })
      .then(
        () => undefined,
        (err: unknown) => this.opts.log.error('could not save pending confirmations', { err }),
      );
    this.events.emit('change', changed);
    return this.writing;
  }
}

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
