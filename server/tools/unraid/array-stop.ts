import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import type { ArrayControlState } from '../../backends/unraid/array-control-state.js';
import {
  arrayActionOutput,
  arrayFormHead,
  currentArrayState,
  runArrayCommand,
} from './shared/array-command.js';
import { describeStopImpact } from './shared/stop-impact.js';

function check(s: ArrayControlState): void {
  if (s.fsState === 'Stopped') throw new ConflictError('The array is already stopped. Nothing was sent.');
  if (s.fsState !== 'Started')
    throw new ConflictError(
      `The array is ${s.fsState ? s.fsState.toLowerCase() : 'in an unknown state'} (var.ini fsState "${s.fsState ?? ''}"); it can be stopped once it has started. Nothing was sent.`,
    );
}

export const arrayStop = defineTool({
  name: 'array_stop',
  title: 'Stop the array',
  description:
    "Stops the Unraid array through emhttpd, as the Stop button on the WebGUI's Main page does: Docker containers " +
    'and VMs are stopped, a parity check in progress is cancelled, then the disks are unmounted. The approval ' +
    'lists the running containers and VMs, the operation in progress and the processes holding files open under ' +
    '/mnt. Refused when the array is not started. Returns the state read back from var.ini.',
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'approve',
  timeoutMs: 10 * 60_000,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({}).strict(),
  output: arrayActionOutput,
  describe: async (_args, _target, ctx) => describeStopImpact(ctx, await currentArrayState(ctx)),
  preflight: async (_args, ctx) => check(await currentArrayState(ctx)),
  run: async (_args, ctx) =>
    runArrayCommand(ctx, {
      command: 'cmdStop',
      check,
      fields: (before) => [...arrayFormHead(before), ['cmdStop', 'Stop']],
      target: 'Stopped',
      confirmedText: 'Stopped.',
      unconfirmedText: 'emhttpd accepted the stop, but var.ini does not show the array stopped yet.',
    }),
});
