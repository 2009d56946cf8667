import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { readParityControlState } from '../../backends/unraid/parity-control-state.js';
import { spawnDetached } from '../../backends/unraid/spawn-detached.js';
import {
  isRunning,
  logPathOf,
  readDescriptionOf,
  readVariablesOf,
  scriptPath,
} from '../../backends/unraid/user-scripts.js';
import type { ToolContext } from '../context.js';
import { findScriptFolder, userScriptsPaths } from './shared/user-scripts.js';
import { unraidLayout } from './shared/unraid-layout.js';

const input = z
  .object({
    name: z
      .string()
      .min(1)
      .max(255)
      .describe("The script's folder, as user_scripts_list gives it (not a path)"),
  })
  .strict();

/**
 * The checks the plugin's runner makes before it runs a script (it skips quietly; these say why), and
 * one more: a script that runs already is not started twice.
 */
async function checkRunnable(ctx: ToolContext, name: string): Promise<string> {
  const folder = await findScriptFolder(ctx, name);
  const paths = userScriptsPaths(ctx);
  const vars = await readVariablesOf(paths, folder);
  if (vars.foregroundOnly)
    throw new ConflictError(
      `The script "${folder}" is marked foregroundOnly: the plugin runs it only in a WebGUI window (Settings → User Scripts → Run Script). Nothing was run.`,
    );
  if (await isRunning(paths, folder))
    throw new ConflictError(
      `The script "${folder}" is running already; its log: ${logPathOf(paths, folder)}. Nothing was run.`,
    );
  if (vars.arrayStarted || vars.noParity) {
    const s = await readParityControlState(unraidLayout(ctx).varIni, ctx.signal);
    if (vars.arrayStarted && !s.arrayStarted)
      throw new ConflictError(
        `The script "${folder}" needs the array started (arrayStarted=true) and the array is ${s.mdState ?? 'not started'}. Nothing was run.`,
      );
    if (vars.noParity && s.operation)
      throw new ConflictError(
        `The script "${folder}" is marked noParity and a ${s.operation.description} is in progress. Nothing was run.`,
      );
  }
  return folder;
}

export const userScriptRun = defineTool({
  name: 'user_script_run',
  title: 'Run a User Script',
  description:
    'Runs a script of the User Scripts plugin in the background, as its "Run In Background" button and schedules ' +
    "do (through the plugin's own runner, which copies the script to RAM and logs to log.txt). Returns at once with " +
    "the log's path; user_scripts_list shows its tail and whether it still runs. The name is a script folder from " +
    'user_scripts_list, never a path. Refused for scripts marked foregroundOnly, running already, or needing a ' +
    "started array that is not. Needs the owner's approval.",
  toolset: 'unraid',
  scope: 'admin',
  confirm: 'approve',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  input,
  output: z.object({
    started: z.boolean(),
    folder: z.string(),
    pid: z.number().int().describe("The plugin runner's process id"),
    logPath: z.string().describe('Where the run writes its output'),
    message: z.string(),
  }),
  describe: async ({ name }, _target, ctx) => {
    const folder = await findScriptFolder(ctx, name);
    const paths = userScriptsPaths(ctx);
    const description = await readDescriptionOf(paths, folder);
    const what = description ? ` (${description.replace(/\s*\n\s*/g, ' ')})` : '';
    return `Run the User Script "${folder}"${what} in the background as root: ${scriptPath(paths, folder)}. Its output goes to ${logPathOf(paths, folder)}.`;
  },
  preflight: async ({ name }, ctx) => {
    await checkRunnable(ctx, name);
  },
  run: async ({ name }, ctx) => {
    const folder = await checkRunnable(ctx, name);
    const paths = userScriptsPaths(ctx);
    const pid = await spawnDetached(
      unraidLayout(ctx).userScriptsRunner,
      [scriptPath(paths, folder)],
      "The User Scripts plugin's runner",
    );
    ctx.deps.log.info('user script started', { folder, pid });
    const logPath = logPathOf(paths, folder);
    return {
      started: true,
      folder,
      pid,
      logPath,
      message: `Started "${folder}" in the background. Its output goes to ${logPath}; user_scripts_list shows the tail and whether it still runs.`,
    };
  },
});
