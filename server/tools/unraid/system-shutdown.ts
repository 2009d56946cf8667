import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { describePowerImpact, powerOutput, requirePowerTools, runPower } from './shared/power.js';

export const systemShutdown = defineTool({
  name: 'system_shutdown',
  title: 'Shut the server down',
  description:
    "Powers the Unraid server off the way the WebGUI's Shutdown button does: Unraid stops containers, VMs and the " +
    'array cleanly, then powers off. Returns before the server goes down; it stays off until someone powers it on. ' +
    "Refused unless the owner allowed power tools in the settings; needs the owner's approval.",
  toolset: 'unraid',
  scope: 'admin',
  confirm: 'approve',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  input: z.object({}).strict(),
  output: powerOutput,
  describe: (_args, _target, ctx) =>
    describePowerImpact(ctx, 'SHUT DOWN the server now; it stays off until someone powers it on.'),
  preflight: async (_args, ctx) => requirePowerTools(ctx, 'shut down'),
  run: async (_args, ctx) => {
    requirePowerTools(ctx, 'shut down');
    const { command } = await runPower(ctx, 'poweroff');
    return {
      started: true,
      command,
      message:
        'The shutdown has begun: Unraid is stopping services and the array cleanly, then powers off. It stays off until someone powers it on.',
    };
  },
});
