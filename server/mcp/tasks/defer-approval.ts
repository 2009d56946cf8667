import type { CallEnv, Caller, ToolCall } from '../pipeline/tool-call.js';
import type { PendingConfirmation } from '../../safety/confirm/pending-approvals.js';
import { whereToApprove } from '../../safety/confirm/confirm-call.js';
import type { CallAnswer } from '../../vocabulary.js';
import { callTool } from '../call-tool.js';
import type { TaskStore } from './task-store.js';
import { abortedByShutdown } from '../../errors/service-shutdown.js';
import { writeEvent } from '../pipeline/audit-entries.js';

/**
 * The client cancelled its task: the request it stood for is withdrawn, so the owner is not left
 * deciding something nobody will collect. (At shutdown the approval stays: it survives a restart,
 * and the task's status message named its confirmation_id.)
 */
async function withdraw(env: CallEnv, entry: PendingConfirmation, call: ToolCall): Promise<void> {
  if (env.confirmations.pending.get(entry.id)?.status !== 'pending') return;
  await env.confirmations.pending
    .decide(entry.id, 'denied', call.caller.principal.name, 'withdrawn: the client cancelled its task')
    .catch(() => {}); // decided meanwhile by the owner: their decision stands
  await writeEvent(call, 'confirmation.withdrawn', { id: entry.id });
}

/**
 * An approval the owner has not decided yet, as a task (2026-07-28 Tasks extension): the call is
 * answered at once with the task; the task waits for the owner's decision (up to the approval's
 * expiry), then makes the call again with the confirmation_id — exactly what a client of the 2025
 * revisions does by hand — so the audit log, the single use and the binding are the same in both
 * eras. Its result is that call's result: the tool's, or the refusal with the owner's reason.
 */
export function deferApprovalToTask(
  env: CallEnv,
  tasks: TaskStore,
): (entry: PendingConfirmation, call: ToolCall) => Promise<CallAnswer> {
  return async (entry, call) => {
    const untilExpiry = Math.max(0, Date.parse(entry.expiresAt) - Date.now());
    // The continuation asks nobody again and defers nothing: the owner's decision is the answer.
    const caller: Caller = { ...call.caller, elicit: null, deferApproval: null };
    const args = { ...(call.req.args as Record<string, unknown>), confirmation_id: entry.id };
    return tasks.start(
      call.caller.principal.tokenId,
      `Waiting for the owner to approve confirmation ${entry.id} (${whereToApprove(entry.id)}); it expires at ${entry.expiresAt}.`,
      untilExpiry,
      async (signal) => {
        await env.confirmations.pending.waitForDecision(entry.id, untilExpiry, signal, () => {});
        // Cancelled (or the service stopping) before the owner decided: the call is not made at all.
        if (signal.aborted) {
          if (!abortedByShutdown(signal)) await withdraw(env, entry, call);
          return {
            isError: true,
            content: [
              { type: 'text', text: 'The task was cancelled before the owner decided. Nothing was done.' },
            ],
          };
        }
        return env.inflight.run(signal, (s) =>
          callTool(env, call.tool, caller, { args, signal: s, progress: async () => {} }),
        );
      },
    );
  };
}
