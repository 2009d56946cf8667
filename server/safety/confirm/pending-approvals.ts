import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../config/atomic-write.js';
import type { Logger } from '../../log.js';
import { bindingMismatch, type ConfirmationBinding } from './binding.js';

export const PENDING_FILE = 'pending-confirmations.json';

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
});
export type PendingConfirmation = z.infer<typeof entrySchema>;
export type NewPending = Omit<
  PendingConfirmation,
  'id' | 'createdAt' | 'expiresAt' | 'status' | 'decidedBy' | 'decidedAt' | 'reason'
>;

export type ConsumeResult =
  | { ok: true; entry: PendingConfirmation }
  | {
      ok: false;
      reason: 'unknown' | 'pending' | 'denied' | 'expired' | 'used' | 'mismatch';
      entry?: PendingConfirmation;
    };

/** How long decided entries stay visible in the WebGUI history. */
const KEEP_DECIDED_MS = 24 * 3_600_000;
const MAX_ENTRIES = 1000;

/**
 * Approvals waiting for the owner (`approve` mode). Kept in the RAM state directory so they survive a
 * sidecar restart (not a reboot), written atomically on every change. Only the admin API decides;
 * MCP callers can wait for a decision and consume an approval bound to exactly their action.
 */
export class PendingApprovals {
  readonly events = new EventEmitter();
  private entries = new Map<string, PendingConfirmation>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: { stateDir: string; log: Logger; now?: () => number }) {
    this.events.setMaxListeners(0);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private get path(): string {
    return join(this.opts.stateDir, PENDING_FILE);
  }

  /** Loads what survived a restart. An unreadable file is moved aside: losing a pending request is safe, approving one by accident is not. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return;
    }
    const parsed = z.array(entrySchema).safeParse(
      (() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return null;
        }
      })(),
    );
    if (!parsed.success) {
      const aside = `${this.path}.corrupt-${this.now()}`;
      await rename(this.path, aside).catch(() => {});
      this.opts.log.error(
        'pending confirmations file was unreadable; moved aside, pending requests must be made again',
        { aside },
      );
      return;
    }
    this.entries = new Map(parsed.data.map((e) => [e.id, e]));
    this.expireDue();
  }

  list(): PendingConfirmation[] {
    this.expireDue();
    return [...this.entries.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): PendingConfirmation | undefined {
    this.expireDue();
    return this.entries.get(id);
  }

  async create(input: NewPending, ttlMs: number): Promise<PendingConfirmation> {
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

  /** Writes the whole set (small) in order, then tells listeners (WebGUI stream, waiting calls). */
  private persist(changed: PendingConfirmation): Promise<void> {
    const snapshot = JSON.stringify([...this.entries.values()], null, 1) + '\n';
    this.writing = this.writing
      .then(() => writeFileAtomic(this.path, snapshot, 0o600))
      .then(
        () => undefined,
        (err: unknown) => this.opts.log.error('could not save pending confirmations', { err }),
      );
    this.events.emit('change', changed);
    return this.writing;
  }
}
