import { randomBytes, randomUUID } from 'node:crypto';
import {
  createRequestStateCodec,
  inputRequired,
  type InputRequiredResult,
} from '@modelcontextprotocol/server';
import type { ConfirmationBinding } from '../../safety/confirm/binding.js';
import { bindingMismatch } from '../../safety/confirm/binding.js';
import type { ElicitAnswer } from '../../safety/confirm/confirm-call.js';
import { CONFIRM_KEY, CONFIRM_SCHEMA, toElicitAnswer } from './confirm-question.js';

/** What a confirmation question's requestState carries: what it may confirm, and a single-use id. */
interface RoundState {
  binding: ConfirmationBinding;
  nonce: string;
}

export type RoundCheck =
  | { ok: true; answer: ElicitAnswer }
  | {
      ok: false;
      reason: 'tampered' | 'expired' | 'replayed' | 'mismatch';
      field?: keyof ConfirmationBinding;
    };

/** How long a question may stay with the user before its answer is refused as expired. */
const ROUND_TTL_SECONDS = 600;
/** Upper bound on remembered answered rounds (each is kept until its state would expire anyway). */
const MAX_USED = 50_000;

/**
 * Confirmation questions on the 2026-07-28 revision (multi round-trip requests). The question goes
 * back to the client as an input_required result whose requestState is signed (HMAC, per-process
 * key), expires, and names exactly what it may confirm: the token, the tool, the resolved target and
 * the argument hash. The retried call must bring the state back unchanged, for the same action, once.
 * Signed, not encrypted: the client can read the binding (ids and a hash, nothing secret).
 */
export class ConfirmRounds {
  private readonly codec = createRequestStateCodec<RoundState>({
    key: randomBytes(32),
    ttlSeconds: ROUND_TTL_SECONDS,
  });
  /** Nonces already answered, with the time their state expires. */
  private readonly used = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The input_required answer that puts `message` to the user, for this action only. */
  async question(message: string, binding: ConfirmationBinding): Promise<InputRequiredResult> {
    const requestState = await this.codec.mint({ binding, nonce: randomUUID() });
    return inputRequired({
      inputRequests: { [CONFIRM_KEY]: inputRequired.elicit({ message, requestedSchema: CONFIRM_SCHEMA }) },
      requestState,
    });
  }

  /** Checks a returned state against the call that brought it, and uses it up; then reads the answer. */
  async check(state: string, responses: unknown, binding: ConfirmationBinding): Promise<RoundCheck> {
    let decoded: RoundState;
    try {
      // No context binding in the codec (the payload carries it), so verify never reads its context.
      decoded = await this.codec.verify(state, undefined as never);
    } catch (err) {
      return { ok: false, reason: (err as Error).message === 'expired' ? 'expired' : 'tampered' };
    }
    this.prune();
    if (this.used.has(decoded.nonce)) return { ok: false, reason: 'replayed' };
    this.used.set(decoded.nonce, this.now() + ROUND_TTL_SECONDS * 1000);
    const field = bindingMismatch(decoded.binding, binding);
    if (field) return { ok: false, reason: 'mismatch', field };
    const answers = responses && typeof responses === 'object' ? (responses as Record<string, unknown>) : {};
    return { ok: true, answer: toElicitAnswer(answers[CONFIRM_KEY]) };
  }

  private prune(): void {
    const now = this.now();
    for (const [nonce, expires] of this.used) if (expires <= now) this.used.delete(nonce);
    while (this.used.size >= MAX_USED) this.used.delete(this.used.keys().next().value as string);
  }
}
