import { z } from 'zod';
import type { ParityControlState } from '../../../backends/unraid/parity-control-state.js';

export const parityStateSchema = z
  .object({
    arrayState: z.string().nullable().describe('mdState: STARTED, STOPPED, …'),
    status: z
      .enum(['running', 'paused', 'stopped'])
      .describe('The array operation: running, paused, or stopped (none in progress)'),
    kind: z
      .enum(['parity_check', 'read_check', 'parity_sync', 'data_rebuild', 'disk_clear', 'unknown'])
      .nullable()
      .describe('What is running or paused; null when stopped'),
    description: z.string().describe('The state in plain words'),
    correcting: z
      .boolean()
      .nullable()
      .describe('Parity checks: true when found errors are written to parity; null otherwise'),
    percent: z.number().nullable(),
    positionBytes: z.number().nonnegative().nullable(),
    totalBytes: z.number().nonnegative().nullable(),
    errorsSoFar: z.number().int().nonnegative().nullable().describe('Sync errors found so far'),
  })
  .describe('The parity operation state read back from var.ini');

export type ParityState = z.infer<typeof parityStateSchema>;

/** The state as the tools report it. */
export function describeState(s: ParityControlState): ParityState {
  const op = s.operation;
  if (!op)
    return {
      arrayState: s.mdState,
      status: 'stopped',
      kind: null,
      description: s.arrayStarted
        ? 'No parity check or other array operation is in progress.'
        : `The array is not started (${s.mdState ?? 'state unknown'}); no operation is in progress.`,
      correcting: null,
      percent: null,
      positionBytes: null,
      totalBytes: null,
      errorsSoFar: null,
    };
  const status = op.paused ? 'paused' : 'running';
  const at = op.percent === null ? '' : ` at ${op.percent}%`;
  const errs =
    op.errorsSoFar === null ? '' : `, ${op.errorsSoFar} sync error${op.errorsSoFar === 1 ? '' : 's'} so far`;
  return {
    arrayState: s.mdState,
    status,
    kind: op.kind,
    description: `${op.description.charAt(0).toUpperCase()}${op.description.slice(1)}: ${status}${at}${errs}.`,
    correcting: op.correcting,
    percent: op.percent,
    positionBytes: op.positionBytes,
    totalBytes: op.totalBytes,
    errorsSoFar: op.errorsSoFar,
  };
}

export const parityActionOutput = z.object({
  changed: z.boolean().describe('True when emhttpd accepted the command'),
  command: z
    .string()
    .describe('The emhttpd command sent (cmdCheck, cmdCheckPause, cmdCheckResume, cmdCheckCancel)'),
  confirmed: z
    .boolean()
    .describe('True when var.ini shows the expected new state within a few seconds of the command'),
  message: z.string(),
  state: parityStateSchema,
});
