import { z } from 'zod';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineTool } from '../define-tool.js';
import type { ToolContext } from '../context.js';
import { domainState, quoteVm } from '../../backends/vm/vm-action.js';
import { isActive, type VmState } from '../../backends/vm/vm-state.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { targetOf } from './shared/vm-target.js';
import { readVmState } from './shared/vm-state-read.js';
import { vmRef, vmActionOutput } from './shared/vm-schemas.js';

const MAX_WAIT_S = 600;
const POLL_MS = 500;

export const vmStop = defineTool({
  name: 'vm_stop',
  title: 'Shut down a VM',
  description:
    'Asks the guest to shut down cleanly (an ACPI power-button press) and waits up to `timeout` seconds for it ' +
    'to power off, sending progress while it waits. A guest that ignores the request (no OS booted, no ACPI ' +
    'support, or a dialog blocking shutdown) is reported as such after the timeout and keeps running — then ' +
    'use vm_force_stop. A VM that is already off is left alone (changed: false). Needs confirmation; refused on ' +
    'protected VMs.',
  toolset: 'vm',
  scope: 'operate',
  confirm: 'token',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  timeoutMs: (MAX_WAIT_S + 15) * 1000,
  input: z
    .object({
      id: vmRef,
      timeout: z
        .number()
        .int()
        .min(1)
        .max(MAX_WAIT_S)
        .default(60)
        .describe(`Seconds to wait for the guest to power off (default 60, at most ${MAX_WAIT_S})`),
    })
    .strict(),
  output: vmActionOutput,
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id, timeout }, target) =>
    `Shut down VM ${quoteVm(target, id)} through ACPI, waiting up to ${timeout} s for the guest to power off.`,
  // A paused or crashed guest cannot shut down cleanly: say so before anyone is asked to confirm.
  preflight: async ({ id }, ctx) => refuseUnclean(await readVmState(ctx, id)),
  run: async ({ id, timeout }, ctx) => {
    const { uuid, name } = targetOf(ctx, id);
    const previousState = await ctx.deps.libvirt.call(`Shutting down VM "${name}"`, async (lv) => {
      const d = await lv.lookupByUuid(uuid);
      const state = await domainState(lv, d);
      refuseUnclean({ name, state });
      if (isActive(state)) await lv.shutdown(d);
      return state;
    });
    if (previousState === 'shut off')
      return {
        name,
        uuid,
        previousState,
        state: previousState,
        changed: false,
        message: `VM "${name}" is already shut off; nothing was done.`,
      };
    const state = await waitForShutoff(ctx, id, name, timeout);
    return { name, uuid, previousState, state, changed: true, message: `VM "${name}" shut down cleanly.` };
  },
});

/** Polls the VM's state until it is off, sending progress; throws when the guest does not comply in time. */
async function waitForShutoff(
  ctx: ToolContext,
  ref: string,
  name: string,
  timeoutS: number,
): Promise<VmState> {
  const started = Date.now();
  for (;;) {
    const { state } = await readVmState(ctx, ref);
    if (state === 'shut off') return state;
    const waited = (Date.now() - started) / 1000;
    if (waited >= timeoutS) {
      throw new ToolError(
        'timeout',
        `VM "${name}" did not shut down within ${timeoutS} s and is still ${state}: the guest ignored the ACPI shutdown request ` +
          '(no operating system running, no ACPI support, or something in the guest is blocking shutdown). Use vm_force_stop to turn it off, or call vm_stop again to wait longer.',
      );
    }
    await ctx.progress(
      Math.floor(waited),
      timeoutS,
      `Waiting for VM "${name}" to shut down (${Math.floor(waited)} of ${timeoutS} s)`,
    );
    try {
      await sleep(Math.min(POLL_MS, (timeoutS - waited) * 1000), undefined, { signal: ctx.signal });
    } catch {
      throw new ToolError(
        'cancelled',
        `The call was cancelled while waiting; the shutdown request was sent to VM "${name}" and the guest may still power off.`,
      );
    }
  }
}

function refuseUnclean({ name, state }: { name: string; state: VmState }): void {
  if (state === 'paused')
    throw new ConflictError(
      `VM "${name}" is paused, so its guest cannot react to a shutdown request. Resume it with vm_resume first, or use vm_force_stop.`,
    );
  if (!isActive(state) && state !== 'shut off')
    throw new ConflictError(
      `VM "${name}" is ${state}; a clean shutdown is not possible. Use vm_force_stop to turn it off.`,
    );
}
