import { randomBytes } from 'node:crypto';
import { bindingMismatch, type ConfirmationBinding } from './binding.js';

export type RedeemResult =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'replayed' | 'expired' | 'mismatch'; field?: keyof ConfirmationBinding };

interface Issued {
  binding: ConfirmationBinding;
  expiresAt: number;
  usedAt: number | null;
}

/** Upper bound on remembered tokens, so a client looping on first calls cannot grow memory without end. */
const MAX_TOKENS = 10_000;

/**
 * Single-use confirmation tokens for `token` mode. In memory on purpose: a token lives minutes, and a
 * restart simply means the agent asks again. Expired and used tokens are pruned on every issue and
 * redeem — no timer, nothing that outlives its usefulness. A used token is remembered until its
 * expiry so a replay is recognised (and audited) as a replay, not as an unknown token.
 */
export class TokenConfirmations {
  private readonly tokens = new Map<string, Issued>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(binding: ConfirmationBinding, ttlMs: number): { token: string; expiresAt: Date } {
    this.prune();
    while (this.tokens.size >= MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as string);
    const token = `ct_${randomBytes(18).toString('base64url')}`;
    const expiresAt = this.now() + ttlMs;
    this.tokens.set(token, { binding, expiresAt, usedAt: null });
    return { token, expiresAt: new Date(expiresAt) };
  }

  /**
   * Consumes the token if it is live and bound to exactly this action. A mismatch burns it too.
   * With `consume: false` it only checks (a valid token stays usable): used while the user is still
   * being asked through the client, before the call that redeems it.
   */
  redeem(token: string, binding: ConfirmationBinding, consume = true): RedeemResult {
    this.prune();
    const issued = this.tokens.get(token);
    if (!issued) return { ok: false, reason: 'unknown' };
    if (issued.usedAt !== null) return { ok: false, reason: 'replayed' };
    const field = bindingMismatch(issued.binding, binding);
    if (consume || field) issued.usedAt = this.now();
    if (issued.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    return field ? { ok: false, reason: 'mismatch', field } : { ok: true };
  }

  get size(): number {
    return this.tokens.size;
  }

  private prune(): void {
    const now = this.now();
    // Keep expired-but-unused tokens briefly (one minute) so a late use reads "expired", not "unknown".
    for (const [k, v] of this.tokens) if (v.expiresAt + 60_000 <= now) this.tokens.delete(k);
  }
}
