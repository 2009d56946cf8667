import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import type { ParityControlState } from '../../backends/unraid/parity-control-state.js';
import { parityActionOutput } from './shared/parity-state.js';
import { currentState, requireCheck, runParityCommand, startStateField } from './shared/parity-command.js';

function check(s: ParityControlState): void {
  if (!s.operation)
    throw new ConflictError('No parity check is running, so there is nothing to pause. Nothing was sent.');
  requireCheck(s.operation, 'pause');
  if (s.operation.paused)
    throw new ConflictError(
      `The ${s.operation.description} is already paused; use parity_resume to continue it. Nothing was sent.`,
    );
}

export const parityPause = defineTool({
  name: 'parity_pause',
  title: 'Pause the parity check',
  description:
    "Pauses the running parity check or read-check through emhttpd (the Pause button on the WebGUI's Main page): " +
    'disks stop being read and the position is kept for parity_resume. Refused when no check runs or it is already ' +
    'paused. Returns the state read back from var.ini.',
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({}).strict(),
  output: parityActionOutput,
  describe: () => 'Pause the running parity check.',
  preflight: async (_args, ctx) => check(await currentState(ctx)),
  run: async (_args, ctx) => {
    const before = await currentState(ctx);
    check(before);
    return runParityCommand(ctx, {
      command: 'cmdCheckPause',
      fields: [startStateField(before), ['cmdCheckPause', '']],
      done: (s) => s.operation === null || s.operation.paused,
      confirmedText: (s) => `Paused. ${s.description}`,
      unconfirmedText: 'emhttpd accepted the command, but var.ini does not show the check paused yet.',
    });
  },
});
