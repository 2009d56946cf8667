import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import type { ParityControlState } from '../../backends/unraid/parity-control-state.js';
import { parityActionOutput } from './shared/parity-state.js';
import { currentState, requireCheck, runParityCommand, startStateField } from './shared/parity-command.js';

function check(s: ParityControlState): void {
  if (!s.operation)
    throw new ConflictError(
      'No parity check is paused (none is in progress); start one with parity_start. Nothing was sent.',
    );
  requireCheck(s.operation, 'resume');
  if (!s.operation.paused)
    throw new ConflictError(
      `The ${s.operation.description} is running, not paused; there is nothing to resume. Nothing was sent.`,
    );
}

export const parityResume = defineTool({
  name: 'parity_resume',
  title: 'Resume the parity check',
  description:
    "Resumes a paused parity check or read-check through emhttpd (the Resume button on the WebGUI's Main page), " +
    'from where it stopped. Refused when no check is paused. Returns the state read back from var.ini.',
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({}).strict(),
  output: parityActionOutput,
  describe: () => 'Resume the paused parity check.',
  preflight: async (_args, ctx) => check(await currentState(ctx)),
  run: async (_args, ctx) => {
    const before = await currentState(ctx);
    check(before);
    return runParityCommand(ctx, {
      command: 'cmdCheckResume',
      fields: [startStateField(before), ['cmdCheckResume', '']],
      done: (s) => s.operation === null || !s.operation.paused,
      confirmedText: (s) => `Resumed. ${s.description}`,
      unconfirmedText: 'emhttpd accepted the command, but var.ini does not show the check running yet.',
    });
  },
});
