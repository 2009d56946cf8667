import { sendEmhttpdCommand, type EmhttpdFields } from '../../../backends/unraid/emhttpd-command.js';
import {
  readParityControlState,
  type ParityControlState,
} from '../../../backends/unraid/parity-control-state.js';
import type { SyncOperation } from '../../../backends/host/sync-operation.js';
import { ConflictError } from '../../../errors/conflict-error.js';
import type { ToolContext } from '../../context.js';
import { describeState, type ParityState } from './parity-state.js';
import { unraidLayout } from './unraid-layout.js';

/** emhttpd answers parity commands at once; a longer wait means it is stuck. */
export const EMHTTPD_TIMEOUT_MS = 5000;
/** How long var.ini is watched for the new state after emhttpd accepted a command. */
const READBACK_MS = 3000;
const READBACK_STEP_MS = 100;

/** The operations pause, resume and cancel act on: the checks. A rebuild or sync is left to the WebGUI. */
export function requireCheck(op: SyncOperation, verb: string): void {
  if (op.kind !== 'parity_check' && op.kind !== 'read_check')
    throw new ConflictError(
      `The operation in progress is a ${op.description}, not a parity or read check; unraid-mcp does not ${verb} it. Use the WebGUI's Main page if you really mean to.`,
    );
}

export async function currentState(ctx: ToolContext): Promise<ParityControlState> {
  return readParityControlState(unraidLayout(ctx).varIni, ctx.signal);
}

export interface ParityCommand {
  command: string;
  fields: EmhttpdFields;
  /** True once var.ini shows the command took effect. */
  done: (s: ParityControlState) => boolean;
  confirmedText: (s: ParityState) => string;
  unconfirmedText: string;
}

/** Sends the command, then reads var.ini back until it shows the new state (or a few seconds pass). */
export async function runParityCommand(ctx: ToolContext, cmd: ParityCommand) {
  const layout = unraidLayout(ctx);
  await sendEmhttpdCommand(
    { socketPath: layout.emhttpdSocket, varIniPath: layout.varIni, timeoutMs: EMHTTPD_TIMEOUT_MS },
    cmd.fields,
    ctx.signal,
  );
  ctx.deps.log.info('emhttpd command sent', { command: cmd.command });
  const deadline = Date.now() + READBACK_MS;
  let after = await readParityControlState(layout.varIni, ctx.signal);
  while (!cmd.done(after) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, READBACK_STEP_MS));
    after = await readParityControlState(layout.varIni, ctx.signal);
  }
  const confirmed = cmd.done(after);
  const state = describeState(after);
  return {
    changed: true,
    command: cmd.command,
    confirmed,
    message: confirmed ? cmd.confirmedText(state) : `${cmd.unconfirmedText} ${state.description}`,
    state,
  };
}

/** The form's first field, as on the WebGUI's Main page: the array state the page was drawn with. */
export const startStateField = (s: ParityControlState): readonly [string, string] => [
  'startState',
  s.mdState ?? '',
];
