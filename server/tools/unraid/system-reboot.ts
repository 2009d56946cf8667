import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { describePowerImpact, powerOutput, requirePowerTools, runPower } from './shared/power.js';

export const systemReboot = defineTool({
  name: 'system_reboot',
  title: 'Reboot the server',
  description:
    "Reboots the Unraid server the way the WebGUI's Reboot button does: Unraid stops containers, VMs and the array " +
    'cleanly, then restarts. Returns before the server goes down; MCP is unreachable until it is back. Refused ' +
    "unless the owner allowed power tools in the settings; needs the owner's approval.",
  toolset: 'unraid',
  scope: 'admin',
  confirm: 'approve',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  input: z.object({}).strict(),
  output: powerOutput,
  describe: (_args, _target, ctx) => describePowerImpact(ctx, 'REBOOT the server now.'),
  preflight: async (_args, ctx) => requirePowerTools(ctx, 'reboot'),
  run: async (_args, ctx) => {
    requirePowerTools(ctx, 'reboot');
    const { command } = await runPower(ctx, 'reboot');
    return {
      started: true,
      command,
      message:
        'The reboot has begun: Unraid is stopping services and the array cleanly, then restarts. MCP answers again once the server is back.',
    };
  },
});
