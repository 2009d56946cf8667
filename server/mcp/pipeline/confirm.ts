import type { CallAnswer } from '../../vocabulary.js';
import { effectiveConfirmMode } from '../../config/settings.js';
import { PolicyDeniedError } from '../../errors/policy-denied-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { argsHash } from '../../safety/confirm/args-hash.js';
import { confirmCall, type ElicitAnswer, type UserPrompt } from '../../safety/confirm/confirm-call.js';
import type { ConfirmationBinding } from '../../safety/confirm/binding.js';
import { redact, redactString } from '../../util/redact.js';
import { writeEvent } from './audit-entries.js';
import { Refusal, refuse } from './refusal.js';
import { toolContext } from './tool-context.js';
import { ALLOWED, type CallerPrompt, type Handler, type Step, type ToolCall } from './tool-call.js';
import { toToolResult } from '../../errors/to-tool-result.js';

/**
 * Writing tools only: the tool's confirmation mode (none, an agent token, or the owner's approval,
 * plus elicitation when the client offers it). The confirmation is bound to the caller's token, the
 * tool, the resolved target and the arguments, so it can never confirm anything else.
 */
export const confirm: Step<CallAnswer> = (next) => async (call) => {
  const { caller, req, resolved } = call;
  const round = caller.elicit?.kind === 'round' ? caller.elicit : null;
  if (!call.writing) {
    if (round?.state !== undefined) throw await roundRefused(call, 'unexpected');
    return next(call);
  }
  let description: string;
  try {
    description = await describe(call);
  } catch (err) {
    throw refuse('preflight', err instanceof PolicyDeniedError ? 'denied' : 'error', err);
  }
  const binding = {
    tokenId: caller.principal.tokenId,
    tool: call.tool.name,
    target: resolved ? `${resolved.kind}:${resolved.id}` : 'host',
    argsHash: argsHash(call.args),
  };
  let answer: ElicitAnswer | null = null;
  if (round?.state !== undefined) {
    const checked = await round.rounds.check(round.state, round.responses, binding);
    if (!checked.ok) throw await roundRefused(call, checked.reason, checked.field);
    answer = checked.answer;
  }
  const confirmed = await confirmCall(
    {
      mode: effectiveConfirmMode(call.settings, call.tool),
      tool: call.tool.name,
      binding,
      principal: caller.principal.name,
      client: caller.client,
      target: resolved,
      redactedArgs: call.redactedArgs,
      description,
      token: call.confirmationToken,
      confirmationId: call.confirmationId,
      timings: call.settings,
      prompt: userPrompt(caller.elicit, answer, binding, req.signal),
      deferApproval: caller.deferApproval && ((entry) => caller.deferApproval!(entry, call)),
      progress: req.progress,
      signal: req.signal,
      audit: (event, details) => writeEvent(call, event, details),
    },
    call.env.confirmations,
  );
  call.confirmation = confirmed.record;
  // Refused by a confirmation rule (too many approvals waiting): audited as not allowed.
  if (!confirmed.proceed && confirmed.refusedBy)
    throw new Refusal(
      { allowed: false, rule: confirmed.refusedBy },
      'denied',
      new ToolError('confirmation', `refused: ${confirmed.refusedBy.replace(/_/g, ' ')}`),
      confirmed.result,
    );
  if (!confirmed.proceed)
    throw new Refusal(
      ALLOWED,
      'confirmation',
      new ToolError('confirmation', 'confirmation required'),
      confirmed.result,
    );
  if (confirmed.record.outcome !== 'approved' || !confirmed.record.id) return next(call);
  return keepOutcome(call, confirmed.record.id, next);
};

/**
 * Runs an owner-approved call and keeps what it answered with the approval, so a retry with the
 * same confirmation_id — from a client that stopped waiting before the owner decided — gets that
 * answer instead of a refusal (confirm-call.ts, alreadyDone).
 */
async function keepOutcome(call: ToolCall, id: string, next: Handler<CallAnswer>): Promise<CallAnswer> {
  const pending = call.env.confirmations.pending;
  try {
    const answer = await next(call);
    await pending.recordOutcome(id, answer);
    return answer;
  } catch (err) {
    await pending.recordOutcome(id, err instanceof Refusal && err.result ? err.result : toToolResult(err));
    throw err;
  }
}

/** The confirmation's way to ask the user, from the caller's (see CallerPrompt). */
function userPrompt(
  prompt: CallerPrompt | null,
  answer: ElicitAnswer | null,
  binding: ConfirmationBinding,
  signal: AbortSignal,
): UserPrompt | null {
  if (!prompt) return null;
  if (prompt.kind === 'push') return { kind: 'push', ask: (message) => prompt.ask(message, signal) };
  return { kind: 'round', answer, ask: (message) => prompt.rounds.question(message, binding) };
}

const ROUND_REFUSALS = {
  tampered: 'was altered or is not one this server issued',
  expired: 'has expired',
  replayed: 'was already answered — a question is answered once',
  mismatch: 'was asked about a different action',
  unexpected: 'belongs to no question this tool asks',
} as const;

/**
 * A call that came back with a requestState that cannot stand: audited, and nothing is done. The
 * client starts over with a plain call (and a fresh question).
 */
async function roundRefused(
  call: ToolCall,
  reason: keyof typeof ROUND_REFUSALS,
  field?: keyof ConfirmationBinding,
): Promise<Refusal> {
  await writeEvent(call, 'confirmation.request_state_rejected', { reason, field: field ?? null });
  return refuse(
    `request_state_${reason}`,
    'denied',
    new ToolError(
      'confirmation',
      `The requestState of this call ${ROUND_REFUSALS[reason]}. Nothing was done. Call ${call.tool.name} again without it to be asked afresh.`,
    ),
  );
}

/**
 * Exactly what the call will do, for the prompt: the tool's own words, or its title, target and
 * arguments. Redacted either way: the prompt is stored with a pending approval and shown in the
 * WebGUI, and a tool's words may quote an argument list or an image's command (`--password=…`).
 */
async function describe(call: ToolCall): Promise<string> {
  const { tool, args, resolved: target } = call;
  if (tool.describe)
    return redactString(await tool.describe(args, target, toolContext(call, call.req.signal)));
  const on = target ? ` on ${target.kind} "${target.name}" (${target.id.slice(0, 12)})` : '';
  return `${tool.title}${on} with arguments ${JSON.stringify(redact(args))}.`;
}
