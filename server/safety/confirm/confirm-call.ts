import type { CallToolResult } from '@modelcontextprotocol/server';
import type { CallAnswer } from '../../vocabulary.js';
import type { ConfirmationBinding } from './binding.js';
import type { TokenConfirmations } from './token-confirmations.js';
import type { PendingApprovals, PendingConfirmation } from './pending-approvals.js';
import { TooManyPending } from './pending-limits.js';
import type { ConfirmMode, ResolvedTarget } from '../../vocabulary.js';

export type ElicitAnswer = 'accept' | 'decline' | 'cancel';

/** How the user is asked through the client, when the client can be asked. */
export type UserPrompt =
  /** 2025 revisions: a server→client elicitation request, answered while this call waits. */
  | { kind: 'push'; ask: (message: string) => Promise<ElicitAnswer> }
  /**
   * 2026-07-28: the question goes back as the call's answer (input_required); the client asks the
   * user and calls again with the answer, which arrives here, already verified, as `answer`.
   */
  | { kind: 'round'; answer: ElicitAnswer | null; ask: (message: string) => Promise<CallAnswer> };

export interface ConfirmRequest {
  mode: ConfirmMode;
  tool: string;
  binding: ConfirmationBinding;
  principal: string;
  client: { name: string; version: string } | null;
  target: ResolvedTarget | null;
  redactedArgs: unknown;
  /** Exactly what the call would do, in plain words. */
  description: string;
  token: string | undefined;
  confirmationId: string | undefined;
  timings: { confirmTokenTtlMs: number; approvalWaitMs: number; approvalExpiryMs: number };
  /** Present when the client declared elicitation: asks the user, never replaces the server-side rule. */
  prompt: UserPrompt | null;
  /**
   * Present when the client takes a task instead of a result (2026-07-28 Tasks extension): an
   * approval the owner has not decided yet is then answered at once with a task the client polls,
   * instead of this call waiting.
   */
  deferApproval: ((entry: PendingConfirmation) => Promise<CallAnswer>) | null;
  progress: (progress: number, total?: number, message?: string) => Promise<void>;
  signal: AbortSignal;
  /** Writes an audit event about the confirmation (prompt, refusal, decline…). */
  audit: (event: string, details: Record<string, unknown>) => Promise<void>;
}

export interface ConfirmStores {
  tokens: TokenConfirmations;
  pending: PendingApprovals;
}

/** The confirmation part of the audit record. */
export interface ConfirmRecord {
  mode: ConfirmMode;
  outcome: string;
  id?: string;
}

export type ConfirmOutcome =
  | { proceed: true; record: ConfirmRecord }
  | {
      proceed: false;
      record: ConfirmRecord;
      result: CallAnswer;
      /** Set when the call is refused by a rule (audited as not allowed), not just waiting for a confirmation. */
      refusedBy?: string;
    };

const stop = (
  record: ConfirmRecord,
  text: string,
  meta?: Record<string, unknown>,
): Extract<ConfirmOutcome, { proceed: false }> => ({
  proceed: false,
  record,
  result: {
    isError: true,
    content: [{ type: 'text', text }],
    ...(meta ? { _meta: { 'unraid-mcp/confirmation': meta } } : {}),
  },
});

/**
 * Applies the tool's confirmation mode. Returns whether the call may proceed, or the result to give
 * the client instead (a token to send back, a pending approval id, a refusal). Nothing here performs
 * the action; every prompt and refusal is audited through `req.audit`.
 */
export async function confirmCall(req: ConfirmRequest, stores: ConfirmStores): Promise<ConfirmOutcome> {
  if (req.mode === 'none') return { proceed: true, record: { mode: 'none', outcome: 'not_required' } };
  if (req.mode === 'token') return confirmByToken(req, stores.tokens);
  return confirmByApproval(req, stores.pending);
}

async function askUser(req: ConfirmRequest): Promise<ConfirmOutcome | null> {
  const { prompt } = req;
  if (!prompt) return null;
  const question = `Allow this action? ${req.description}`;
  if (prompt.kind === 'round' && prompt.answer === null) {
    await req.audit('confirmation.elicitation_requested', {});
    return {
      proceed: false,
      record: { mode: req.mode, outcome: 'elicitation_requested' },
      result: await prompt.ask(question),
    };
  }
  const answer =
    prompt.kind === 'round'
      ? (prompt.answer as ElicitAnswer)
      : await prompt.ask(question).catch((): ElicitAnswer => 'cancel');
  if (answer === 'accept') return null;
  await req.audit('confirmation.elicitation_declined', { answer });
  return stop(
    { mode: req.mode, outcome: `elicitation_${answer}` },
    `The user ${answer === 'decline' ? 'declined' : 'cancelled'} this action when asked. Nothing was done.`,
  );
}

async function confirmByToken(req: ConfirmRequest, tokens: TokenConfirmations): Promise<ConfirmOutcome> {
  if (req.token === undefined) {
    const { token, expiresAt } = tokens.issue(req.binding, req.timings.confirmTokenTtlMs);
    await req.audit('confirmation.token_issued', { expiresAt: expiresAt.toISOString() });
    return stop(
      { mode: 'token', outcome: 'token_issued' },
      `Confirmation needed — nothing was done yet. This call would: ${req.description}\n` +
        `If the user wants this, call ${req.tool} again with exactly the same arguments plus "confirmation_token": "${token}". ` +
        `The token works once, only for this action, until ${expiresAt.toISOString()}.`,
      { mode: 'token', token, expiresAt: expiresAt.toISOString() },
    );
  }
  // While the question is still out with the client, the token is only checked: the call that
  // brings the answer redeems it.
  const asking = req.prompt?.kind === 'round' && req.prompt.answer === null;
  const redeemed = tokens.redeem(req.token, req.binding, !asking);
  if (!redeemed.ok) {
    await req.audit('confirmation.token_rejected', {
      reason: redeemed.reason,
      field: redeemed.field ?? null,
    });
    const why = {
      unknown: 'is not a valid confirmation token',
      replayed: 'was already used — a confirmation token works once',
      expired: 'has expired',
      mismatch: `was issued for a different action (the ${fieldWords(redeemed.field)} differs) and is now void`,
    }[redeemed.reason];
    return stop(
      { mode: 'token', outcome: `token_${redeemed.reason}` },
      `The confirmation_token ${why}. Nothing was done. Call ${req.tool} without confirmation_token to get a new one.`,
    );
  }
  return (await askUser(req)) ?? { proceed: true, record: { mode: 'token', outcome: 'token_confirmed' } };
}

function fieldWords(field: keyof ConfirmationBinding | undefined): string {
  return { tokenId: 'caller', tool: 'tool', target: 'target', argsHash: 'arguments' }[field ?? 'argsHash'];
}

async function confirmByApproval(req: ConfirmRequest, pending: PendingApprovals): Promise<ConfirmOutcome> {
  let entry: PendingConfirmation | undefined;
  if (req.confirmationId !== undefined) {
    entry = pending.get(req.confirmationId);
  } else {
    // Checked before asking the user (no point asking for a request that cannot be queued) and again,
    // atomically, by create (others may have queued meanwhile).
    const full = pending.limitReached(req.binding.tokenId);
    if (full) return tooManyPending(req, full);
    const declined = await askUser(req);
    if (declined) return declined;
    try {
      entry = await pending.create(
        {
          principal: req.principal,
          client: req.client,
          tool: req.tool,
          target: req.target && { kind: req.target.kind, id: req.target.id, name: req.target.name },
          args: req.redactedArgs,
          description: req.description,
          binding: req.binding,
        },
        req.timings.approvalExpiryMs,
      );
    } catch (err) {
      if (err instanceof TooManyPending) return tooManyPending(req, err);
      throw err;
    }
    await req.audit('confirmation.requested', { id: entry.id, expiresAt: entry.expiresAt });
  }
  if (entry?.status === 'pending' && req.deferApproval) {
    await req.audit('confirmation.deferred_to_task', { id: entry.id });
    return {
      proceed: false,
      record: { mode: 'approve', outcome: 'pending', id: entry.id },
      result: await req.deferApproval(entry),
    };
  }
  if (entry?.status === 'pending') {
    const id = entry.id;
    const total = Math.round(req.timings.approvalWaitMs / 1000);
    await req.progress(
      0,
      total,
      `Waiting for the owner to approve confirmation ${id} (${whereToApprove(id)})`,
    );
    entry = await pending.waitForDecision(id, req.timings.approvalWaitMs, req.signal, (elapsed) => {
      void req
        .progress(Math.round(elapsed / 1000), total, `Still waiting for approval of ${id}`)
        .catch(() => {});
    });
  }
  const id = entry?.id ?? req.confirmationId ?? '';
  if (entry?.status === 'pending') {
    return stop(
      { mode: 'approve', outcome: 'pending', id },
      `Waiting for the owner's approval — nothing was done yet. This call would: ${req.description}\n` +
        `Ask the user to approve it (${whereToApprove(id)}), then call ${req.tool} again with the same arguments plus "confirmation_id": "${id}". ` +
        `Calling again before the owner decides waits again; after the decision it returns what happened — the result, or the denial and its reason. ` +
        `The request expires at ${entry.expiresAt}.`,
      { mode: 'approve', confirmationId: id, status: 'pending', expiresAt: entry.expiresAt },
    );
  }
  const used = await pending.consume(id, req.binding);
  if (used.ok) return { proceed: true, record: { mode: 'approve', outcome: 'approved', id } };
  if (used.reason === 'used' && used.entry) return alreadyDone(req, used.entry);
  await req.audit('confirmation.refused', { id, reason: used.reason });
  const why = {
    unknown: `There is no confirmation "${id}"`,
    pending: `Confirmation ${id} is still pending`,
    denied: `The owner denied this action${used.entry?.reason ? ` (${used.entry.reason})` : ''}`,
    expired: `Confirmation ${id} expired before the owner decided`,
    used: `Confirmation ${id} was already used — an approval works once`,
    mismatch: `Confirmation ${id} was given for a different action`,
  }[used.reason];
  const again = used.reason === 'denied' ? '' : ` Call ${req.tool} without confirmation_id to ask again.`;
  return stop({ mode: 'approve', outcome: used.reason, id }, `${why}. Nothing was done.${again}`);
}

/** Where the user approves: the CLI on the server, or the WebGUI page. */
export function whereToApprove(id: string): string {
  return `on the server: unraid-mcp confirm approve ${id} — or in the Unraid WebGUI, Settings → unraid-mcp`;
}

/**
 * The approval was used by an earlier call with this confirmation_id (the client may have stopped
 * waiting before the owner decided): that call's recorded answer, said to be a replay. Nothing runs again.
 */
async function alreadyDone(req: ConfirmRequest, entry: PendingConfirmation): Promise<ConfirmOutcome> {
  const id = entry.id;
  await req.audit('confirmation.outcome_returned', { id, recorded: entry.outcome !== null });
  if (!entry.outcome)
    return stop(
      { mode: 'approve', outcome: 'running', id },
      `Confirmation ${id} was approved and its action is being carried out by an earlier call. Nothing was started again. Call ${req.tool} again with the same confirmation_id in a moment to get its result.`,
      { mode: 'approve', confirmationId: id, status: 'running' },
    );
  const answer = entry.outcome.answer as CallToolResult;
  const note = `This action was already carried out at ${entry.outcome.at} (confirmation ${id}, approved by ${entry.decidedBy ?? 'the owner'}); here is what it answered then. Nothing was done again.`;
  return {
    proceed: false,
    record: { mode: 'approve', outcome: 'outcome_returned', id },
    result: {
      ...answer,
      content: [{ type: 'text', text: note }, ...(answer.content ?? [])],
      _meta: {
        ...answer._meta,
        'unraid-mcp/confirmation': {
          mode: 'approve',
          confirmationId: id,
          status: 'done',
          doneAt: entry.outcome.at,
        },
      },
    },
  };
}

/** Refuses a new approval request while too many wait for the owner; nothing is queued. */
async function tooManyPending(req: ConfirmRequest, full: TooManyPending): Promise<ConfirmOutcome> {
  await req.audit('confirmation.refused', {
    reason: 'too_many_pending',
    scope: full.scope,
    waiting: full.waiting,
    limit: full.limit,
  });
  const whose = full.scope === 'token' ? 'from this token ' : '';
  const limit = full.scope === 'token' ? `${full.limit} per token` : `${full.limit} for all tokens together`;
  const expiry = full.nextExpiry ? ` (the first expires at ${full.nextExpiry})` : '';
  return {
    ...stop(
      { mode: 'approve', outcome: 'too_many_pending' },
      `${full.waiting} approvals ${whose}are already waiting for the owner (the limit is ${limit}), so this one was not queued. Nothing was done. ` +
        `Ask the user to approve or deny them in the Unraid WebGUI (Settings → unraid-mcp) or with "unraid-mcp confirm list", or wait for them to expire${expiry}; then call ${req.tool} again.`,
      { mode: 'approve', status: 'too_many_pending', waiting: full.waiting, limit: full.limit },
    ),
    refusedBy: 'too_many_pending_approvals',
  };
}
