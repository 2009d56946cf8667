import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import type { ParityControlState } from '../../backends/unraid/parity-control-state.js';
import { parityActionOutput } from './shared/parity-state.js';
import { currentState, requireCheck, runParityCommand, startStateField } from './shared/parity-command.js';

function check(s: ParityControlState): void {
  if (!s.operation)
    throw new ConflictError(
      'No parity check is running or paused, so there is nothing to cancel. Nothing was sent.',
    );
  requireCheck(s.operation, 'cancel');
}

export const parityCancel = defineTool({
  name: 'parity_cancel',
  title: 'Cancel the parity check',
  description:
    "Cancels the running or paused parity check or read-check through emhttpd (the Cancel button on the WebGUI's " +
    'Main page). The history records it as cancelled; a later check starts from the beginning. Refused when no ' +
    'check is in progress; a parity sync, rebuild or disk clear is never cancelled here. Needs confirmation. ' +
    'Returns the state read back from var.ini.',
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'token',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({}).strict(),
  output: parityActionOutput,
  describe: async (_args, _target, ctx) => {
    const op = (await currentState(ctx)).operation;
    return op
      ? `Cancel the ${op.description} (${op.paused ? 'paused' : 'running'} at ${op.percent ?? '?'}%, ${op.errorsSoFar ?? '?'} sync errors so far). Its progress is lost.`
      : 'Cancel the parity check.';
  },
  preflight: async (_args, ctx) => check(await currentState(ctx)),
  run: async (_args, ctx) => {
    const before = await currentState(ctx);
    check(before);
    return runParityCommand(ctx, {
      command: 'cmdCheckCancel',
      fields: [startStateField(before), ['cmdCheckCancel', '']],
      done: (s) => s.operation === null,
      confirmedText: (s) => `Cancelled. ${s.description}`,
      unconfirmedText: 'emhttpd accepted the command, but var.ini still shows the check in progress.',
    });
  },
});
