import { z } from 'zod';
import { sendEmhttpdCommand } from '../../../backends/unraid/emhttpd-command.js';
import { findDisk, readDiskSlots } from '../../../backends/unraid/disk-slots.js';
import { readSpinContext } from '../../../backends/unraid/disk-spin-state.js';
import type { DiskInfo } from '../../../backends/host/disks-ini.js';
import { ConflictError } from '../../../errors/conflict-error.js';
import type { ToolContext } from '../../context.js';
import { unraidLayout } from './unraid-layout.js';

export type SpinDirection = 'up' | 'down';

/** emhttpd answers a spin command once the drive has been told; a spin-up can take ~15 s on a big disk. */
const EMHTTPD_SPIN_TIMEOUT_MS = 30_000;
/** How long disks.ini is watched for the new state after emhttpd accepted the command. */
const READBACK_MS = 5000;
const READBACK_STEP_MS = 100;

export const spinOutput = z.object({
  changed: z.boolean().describe('True when emhttpd accepted the command'),
  command: z.enum(['cmdSpinup', 'cmdSpindown']).describe('The emhttpd command sent'),
  confirmed: z.boolean().describe('True when disks.ini shows the new state within a few seconds'),
  message: z.string(),
  state: z
    .object({
      disk: z.string(),
      device: z.string().nullable(),
      spunDown: z.boolean(),
      temperatureC: z.number().nullable().describe('null while spun down'),
    })
    .describe('The disk as disks.ini shows it after the command'),
});

const word = (d: SpinDirection) => (d === 'up' ? 'spun up' : 'spun down');

/** Why spinning `disk` in `direction` makes no sense now, or null. Checked before anything is sent. */
function refusal(disk: DiskInfo, fsState: string | null, direction: SpinDirection): string | null {
  if (disk.role === 'boot')
    return `${disk.name} is the boot device; Unraid does not spin it up or down. Nothing was sent.`;
  if (!disk.device || disk.status?.includes('_NP'))
    return `${disk.name} has no device assigned (emhttp status ${disk.status ?? 'unknown'}), so there is nothing to spin. Nothing was sent.`;
  if (fsState !== 'Started')
    return `The array is not started (${fsState ?? 'state unknown'}); Unraid offers spin control only while it is started. Nothing was sent.`;
  if (direction === 'down' && disk.spunDown)
    return `${disk.name} (${disk.device}) is already spun down. Nothing was sent.`;
  if (direction === 'up' && !disk.spunDown)
    return `${disk.name} (${disk.device}) is already spun up${disk.temperatureC !== null ? ` (${disk.temperatureC} °C)` : ''}. Nothing was sent.`;
  return null;
}

export async function checkSpin(ctx: ToolContext, name: string, direction: SpinDirection): Promise<DiskInfo> {
  const layout = unraidLayout(ctx);
  const { disks, fsState } = await readSpinContext(layout.disksIni, layout.varIni, ctx.signal);
  const disk = findDisk(disks, name);
  const why = refusal(disk, fsState, direction);
  if (why) throw new ConflictError(why);
  return disk;
}

/**
 * Posts the form the WebGUI's Main page posts when a disk's status orb is clicked (its ToggleState
 * handler runs `emcmd cmdSpinup=<name>` or `cmdSpindown=<name>`), then reads disks.ini back until the
 * disk shows the new state or a few seconds pass.
 */
export async function runSpin(
  ctx: ToolContext,
  name: string,
  direction: SpinDirection,
): Promise<z.infer<typeof spinOutput>> {
  const layout = unraidLayout(ctx);
  const disk = await checkSpin(ctx, name, direction);
  const command: 'cmdSpinup' | 'cmdSpindown' = direction === 'up' ? 'cmdSpinup' : 'cmdSpindown';
  await sendEmhttpdCommand(
    { socketPath: layout.emhttpdSocket, varIniPath: layout.varIni, timeoutMs: EMHTTPD_SPIN_TIMEOUT_MS },
    [[command, name]],
    ctx.signal,
  );
  ctx.deps.log.info('emhttpd command sent', { command, disk: name });
  const wanted = direction === 'down';
  const deadline = Date.now() + READBACK_MS;
  let after = findDisk(await readDiskSlots(layout.disksIni, ctx.signal), name);
  while (after.spunDown !== wanted && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, READBACK_STEP_MS));
    after = findDisk(await readDiskSlots(layout.disksIni, ctx.signal), name);
  }
  const confirmed = after.spunDown === wanted;
  const label = `${name} (${disk.device})`;
  return {
    changed: true,
    command,
    confirmed,
    message: confirmed
      ? `${label} ${word(direction)}${after.temperatureC !== null ? `, ${after.temperatureC} °C` : ''}.`
      : `emhttpd accepted the command, but disks.ini still shows ${label} ${word(direction === 'up' ? 'down' : 'up')} after ${READBACK_MS / 1000} s.${
          direction === 'down' && after.rotational === false
            ? ' Solid-state devices often do not report a spun-down state.'
            : ' Check again with system_disks in a moment.'
        }`,
    state: { disk: name, device: after.device, spunDown: after.spunDown, temperatureC: after.temperatureC },
  };
}
