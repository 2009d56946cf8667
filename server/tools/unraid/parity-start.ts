import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import type { ParityControlState } from '../../backends/unraid/parity-control-state.js';
import { parityActionOutput } from './shared/parity-state.js';
import { currentState, runParityCommand, startStateField } from './shared/parity-command.js';

const input = z
  .object({
    correct: z
      .boolean()
      .describe(
        'true: write corrections to parity for any sync error found (what the WebGUI\'s "Write corrections to parity" box does); false: read-only check that only counts errors',
      ),
  })
  .strict();

/** Why a start makes no sense now, or null. Checked before confirmation and again just before sending. */
function refusal(s: ParityControlState, correct: boolean): string | null {
  if (!s.arrayStarted)
    return `The array is not started (${s.mdState ?? 'state unknown'}); a parity check needs a started array. Nothing was sent.`;
  if (s.operation)
    return `A ${s.operation.description} is already ${s.operation.paused ? 'paused' : 'running'} (${s.operation.percent ?? '?'}%); use parity_resume or parity_cancel. Nothing was sent.`;
  const action = s.nextAction ?? '';
  if (!action.startsWith('check'))
    return `Unraid offers no parity check now (its next operation is "${action || 'unknown'}": parity is not valid or a disk needs a sync, rebuild or clear). Use the WebGUI's Main page. Nothing was sent.`;
  if (action === 'check' && correct)
    return 'There is no valid parity, so Unraid can only run a read-check (it reads every disk, nothing to correct). Call again with correct: false. Nothing was sent.';
  return null;
}

export const parityStart = defineTool({
  name: 'parity_start',
  title: 'Start a parity check',
  description:
    "Starts a parity check through emhttpd, as the Check button on the WebGUI's Main page does: correcting " +
    '(correct: true writes found errors to parity) or read-only (correct: false only counts them). Without valid ' +
    'parity Unraid runs a read-check instead (correct must be false). Refused while an operation runs or is ' +
    'paused, and when the array is not started. Needs confirmation. Returns the state read back from var.ini.',
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'token',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input,
  output: parityActionOutput,
  describe: ({ correct }) =>
    correct
      ? 'Start a correcting parity check (sync errors found are written to parity). It reads every disk for hours.'
      : 'Start a read-only parity check (sync errors are counted, nothing is written). It reads every disk for hours.',
  preflight: async ({ correct }, ctx) => {
    const why = refusal(await currentState(ctx), correct);
    if (why) throw new ConflictError(why);
  },
  run: async ({ correct }, ctx) => {
    const before = await currentState(ctx);
    const why = refusal(before, correct);
    if (why) throw new ConflictError(why);
    const readCheck = before.nextAction === 'check';
    return runParityCommand(ctx, {
      command: 'cmdCheck',
      fields: [
        startStateField(before),
        ['cmdCheck', 'Check'],
        ...(correct ? [['optionCorrect', 'correct'] as const] : []),
      ],
      done: (s) => s.operation !== null && !s.operation.paused,
      confirmedText: (s) =>
        `${readCheck ? 'Read-check' : correct ? 'Correcting parity check' : 'Read-only parity check'} started. ${s.description}`,
      unconfirmedText: 'emhttpd accepted the command, but var.ini does not show a running check yet.',
    });
  },
});
