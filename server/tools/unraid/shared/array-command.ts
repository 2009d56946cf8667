import { z } from 'zod';
import { sendEmhttpdCommand, type EmhttpdFields } from '../../../backends/unraid/emhttpd-command.js';
import {
  readArrayControlState,
  type ArrayControlState,
} from '../../../backends/unraid/array-control-state.js';
import { ConflictError } from '../../../errors/conflict-error.js';
import type { ToolContext } from '../../context.js';
import { unraidLayout } from './unraid-layout.js';

/** How long var.ini is watched for the new fsState after emhttpd answered. */
const READBACK_MS = 10_000;
const READBACK_STEP_MS = 100;
const PROGRESS_EVERY_MS = 5000;

export async function currentArrayState(ctx: ToolContext): Promise<ArrayControlState> {
  const layout = unraidLayout(ctx);
  return readArrayControlState(layout.varIni, layout.disksIni, ctx.signal);
}

/** The array's state in words, from var.ini's fsState (what the Main page shows) and mdState. */
export function describeArray(s: ArrayControlState): string {
  const fs = s.fsState ?? 'unknown';
  const md = s.mdState ?? 'unknown';
  if (fs === 'Started') return `The array is started (mdState ${md}).`;
  if (fs === 'Stopped') return `The array is stopped (mdState ${md}).`;
  return `The array is ${fs.toLowerCase()} (mdState ${md}).`;
}

export const arrayStateSchema = z.object({
  fsState: z.string().nullable().describe('Started, Stopped, Starting, Stopping … (var.ini fsState)'),
  mdState: z.string().nullable().describe('STARTED, STOPPED, DISABLE_DISK … (var.ini mdState)'),
  description: z.string(),
});

export const arrayActionOutput = z.object({
  changed: z.boolean().describe('True when emhttpd accepted the command'),
  command: z.enum(['cmdStart', 'cmdStop']).describe('The emhttpd command sent'),
  confirmed: z.boolean().describe('True when var.ini shows the array started (or stopped) afterwards'),
  message: z.string(),
  state: arrayStateSchema.describe('The array state read back from var.ini'),
});

export interface ArrayCommand {
  command: 'cmdStart' | 'cmdStop';
  /** Throws when the command makes no sense in this state (checked again right before sending). */
  check: (before: ArrayControlState) => void;
  fields: (before: ArrayControlState) => EmhttpdFields;
  target: 'Started' | 'Stopped';
  confirmedText: string;
  unconfirmedText: string;
}

/**
 * Sends cmdStart or cmdStop and reads var.ini back. emhttpd answers once the array has started or
 * stopped (that can take minutes: containers and VMs are stopped first), so the wait is the layout's
 * array timeout, not the parity commands' few seconds. The call's cancellation is not passed on: once
 * the command is sent, cutting the connection would not undo it, only hide its answer.
 */
export async function runArrayCommand(ctx: ToolContext, cmd: ArrayCommand) {
  // One start or stop at a time from this process: a second one waiting on the same emhttpd answer
  // would act on a state the first is changing.
  if (inFlight)
    throw new ConflictError(
      `Another array start or stop (${inFlight}) is still waiting for emhttpd's answer. Nothing was sent.`,
    );
  inFlight = cmd.command;
  try {
    return await sendAndReadBack(ctx, cmd);
  } finally {
    inFlight = null;
  }
}

let inFlight: string | null = null;

async function sendAndReadBack(ctx: ToolContext, cmd: ArrayCommand) {
  const layout = unraidLayout(ctx);
  const before = await readArrayControlState(layout.varIni, layout.disksIni, ctx.signal);
  cmd.check(before);
  // A start or stop can take minutes; progress notifications (when the client asked for them) say
  // what var.ini shows meanwhile, and let a client that resets its timeout on progress keep waiting.
  const t0 = Date.now();
  const ticker = setInterval(
    () => {
      readArrayControlState(layout.varIni, layout.disksIni)
        .then((s) =>
          ctx.progress(
            Math.round((Date.now() - t0) / 1000),
            undefined,
            `Waiting for emhttpd. ${describeArray(s)}`,
          ),
        )
        .catch(() => {});
    },
    Math.min(PROGRESS_EVERY_MS, layout.arrayCommandTimeoutMs / 4),
  );
  try {
    await sendEmhttpdCommand(
      {
        socketPath: layout.emhttpdSocket,
        varIniPath: layout.varIni,
        timeoutMs: layout.arrayCommandTimeoutMs,
      },
      cmd.fields(before),
    );
  } finally {
    clearInterval(ticker);
  }
  ctx.deps.log.info('emhttpd command sent', { command: cmd.command });
  const deadline = Date.now() + READBACK_MS;
  let after = await readArrayControlState(layout.varIni, layout.disksIni);
  while (after.fsState !== cmd.target && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, READBACK_STEP_MS));
    after = await readArrayControlState(layout.varIni, layout.disksIni);
  }
  const confirmed = after.fsState === cmd.target;
  const description = describeArray(after);
  return {
    changed: true,
    command: cmd.command,
    confirmed,
    message: confirmed ? `${cmd.confirmedText} ${description}` : `${cmd.unconfirmedText} ${description}`,
    state: { fsState: after.fsState, mdState: after.mdState, description },
  };
}

/** The form's first two fields, as on the WebGUI's Main page (arrayOps): the state it was drawn with, and an empty key file. */
export const arrayFormHead = (s: ArrayControlState): EmhttpdFields => [
  ['startState', s.mdState ?? ''],
  ['file', ''],
];
