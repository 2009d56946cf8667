import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import type { ArrayControlState } from '../../backends/unraid/array-control-state.js';
import type { EmhttpdFields } from '../../backends/unraid/emhttpd-command.js';
import {
  arrayActionOutput,
  arrayFormHead,
  currentArrayState,
  runArrayCommand,
} from './shared/array-command.js';
import {
  missingDisks,
  startAlsoBegins,
  startRefusal,
  startsParityCheck,
} from './shared/array-start-rules.js';

const input = z
  .object({
    accept_missing_disks: z
      .boolean()
      .default(false)
      .describe(
        'Start even though array disks are missing, disabled or invalid (their contents emulated from parity, the array unprotected). Only when the owner asked for exactly that; the approval names the disks.',
      ),
  })
  .strict();

function check(s: ArrayControlState, accept: boolean): void {
  const why = startRefusal(s, accept);
  if (why) throw new ConflictError(why);
}

/**
 * The Main page's form as it is submitted for this state: startState and the (empty) key file field,
 * then the boxes the owner ticks — "Yes, I want to do this" for a missing disk, "Write corrections to
 * parity" (ticked by default) after an unclean shutdown — then cmdStart.
 */
function startFields(s: ArrayControlState, accept: boolean): EmhttpdFields {
  return [
    ...arrayFormHead(s),
    ...(s.mdState === 'DISABLE_DISK' && accept ? [['confirmStart', 'OFF'] as const] : []),
    ...(startsParityCheck(s) ? [['optionCorrect', 'correct'] as const] : []),
    ['cmdStart', 'Start'],
  ];
}

export const arrayStart = defineTool({
  name: 'array_start',
  title: 'Start the array',
  description:
    "Starts the Unraid array through emhttpd, as the Start button on the WebGUI's Main page does: disks are mounted, " +
    'then Docker and VMs start if they are enabled. Refused when the array is already started or busy, when the ' +
    'registration or disk configuration does not allow a start, when encrypted disks are locked, and when a start ' +
    'would change disk assignments (new array, replacement disk, missing pool device). With array disks missing or ' +
    "disabled it is refused unless accept_missing_disks is true. Needs the owner's approval. Returns the state read back from var.ini.",
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'approve',
  timeoutMs: 10 * 60_000,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input,
  output: arrayActionOutput,
  describe: async ({ accept_missing_disks }, _target, ctx) => {
    const s = await currentArrayState(ctx);
    const missing = missingDisks(s);
    const also = startAlsoBegins(s);
    return [
      'Start the array.',
      missing.any && accept_missing_disks
        ? `ACCEPTING MISSING DISKS: it starts without ${missing.text}; their contents are emulated from parity where parity allows, and the array is unprotected until they are replaced.`
        : null,
      also ? `The start also begins ${also}.` : null,
      'Docker containers and VMs set to autostart start with it.',
    ]
      .filter(Boolean)
      .join(' ');
  },
  preflight: async ({ accept_missing_disks }, ctx) =>
    check(await currentArrayState(ctx), accept_missing_disks),
  run: async ({ accept_missing_disks }, ctx) =>
    runArrayCommand(ctx, {
      command: 'cmdStart',
      check: (before) => check(before, accept_missing_disks),
      fields: (before) => startFields(before, accept_missing_disks),
      target: 'Started',
      confirmedText: 'Started.',
      unconfirmedText: 'emhttpd accepted the start, but var.ini does not show the array started yet.',
    }),
});
