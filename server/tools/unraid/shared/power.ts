import { z } from 'zod';
import { PolicyDeniedError } from '../../../errors/policy-denied-error.js';
import { spawnDetached } from '../../../backends/unraid/spawn-detached.js';
import type { ToolContext } from '../../context.js';
import { currentArrayState } from './array-command.js';
import { describeStopImpact } from './stop-impact.js';
import { unraidLayout } from './unraid-layout.js';

/** Refuses unless the owner switched the power tools on; read per call, so switching off applies at once. */
export function requirePowerTools(ctx: ToolContext, verb: string): void {
  if (ctx.deps.settings?.().powerTools !== true)
    throw new PolicyDeniedError(
      'power_tools',
      `Power tools are switched off, so unraid-mcp does not ${verb} the server. The owner can allow it in Settings → unraid-mcp → Settings ("Allow reboot and shutdown"; POWER_TOOLS="yes" in unraid-mcp.cfg).`,
    );
}

/** What goes down with the server, for the approval: the array's stop impact when it is started. */
export async function describePowerImpact(ctx: ToolContext, headline: string): Promise<string> {
  try {
    const s = await currentArrayState(ctx);
    if (s.fsState === 'Started')
      return `${headline} Unraid stops the array cleanly first. ${(await describeStopImpact(ctx, s)).replace(/^Stop the array: [^.]*\. /, '')}`;
    return `${headline} The array is not started.`;
  } catch {
    return `${headline} Unraid stops the array cleanly first.`;
  }
}

export const powerOutput = z.object({
  started: z.boolean().describe('True when the command was started'),
  command: z.string().describe('What was run, with its arguments'),
  message: z.string(),
});

/**
 * Runs the WebGUI's own command (Boot.php: `/sbin/reboot -n`, `/sbin/poweroff -n`) detached and returns
 * before the machine goes down. On a running Unraid these hand over to shutdown, and rc.6 stops the
 * array through emhttpd (rc.local_shutdown) before anything is unmounted; never `-f`, which would skip
 * all of that. `-n` only skips init's own sync, which rc.6 has done by then.
 */
export async function runPower(ctx: ToolContext, which: 'reboot' | 'poweroff') {
  const layout = unraidLayout(ctx);
  const command = which === 'reboot' ? layout.rebootCommand : layout.poweroffCommand;
  const pid = await spawnDetached(command, ['-n'], `The ${which} command`);
  ctx.deps.log.warn(which === 'reboot' ? 'server reboot started' : 'server shutdown started', { pid });
  return { command: `${command} -n` };
}
