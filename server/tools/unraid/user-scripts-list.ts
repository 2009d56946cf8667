import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { listUserScripts } from '../../backends/unraid/user-scripts.js';
import { FREQUENCY_WORDS, userScriptsPaths } from './shared/user-scripts.js';

export const userScriptsList = defineTool({
  name: 'user_scripts_list',
  title: 'List User Scripts',
  description:
    'Lists the scripts of the User Scripts plugin (Settings → User Scripts) with name, description, schedule, ' +
    "whether one runs now, when it last started and finished, and the tail of its last run's log. Empty when the " +
    'plugin is not installed. Run one with user_script_run (by its folder).',
  toolset: 'unraid',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      log_lines: z
        .number()
        .int()
        .min(0)
        .max(200)
        .default(10)
        .describe('How many of the last log lines to include per script (0: none)'),
    })
    .strict(),
  output: z.object({
    scripts: z.array(
      z.object({
        folder: z.string().describe('The script folder: what user_script_run takes'),
        name: z.string(),
        description: z.string().nullable(),
        schedule: z.object({
          frequency: z
            .string()
            .describe('disabled, hourly, daily, weekly, monthly, start, stop, boot or custom'),
          custom: z.string().nullable().describe('The cron expression of a custom schedule'),
          description: z.string(),
        }),
        running: z.boolean(),
        runInBackground: z
          .boolean()
          .describe('False for scripts marked foregroundOnly (run them in the WebGUI)'),
        needsArrayStarted: z.boolean(),
        logPath: z.string(),
        log: z.object({
          exists: z.boolean(),
          modifiedAt: z.string().nullable(),
          lastStarted: z
            .string()
            .nullable()
            .describe('As the plugin writes it in the log (server local time)'),
          lastFinished: z.string().nullable().describe('Null while the last run has not finished'),
          tail: z.array(z.string()),
        }),
      }),
    ),
    message: z.string(),
  }),
  run: async ({ log_lines }, ctx) => {
    const scripts = await listUserScripts(userScriptsPaths(ctx), log_lines);
    const running = scripts.filter((s) => s.running).map((s) => s.name);
    return {
      scripts: scripts.map((s) => ({
        folder: s.folder,
        name: s.name,
        description: s.description,
        schedule: {
          ...s.schedule,
          description:
            s.schedule.frequency === 'custom' && s.schedule.custom
              ? `on the cron schedule "${s.schedule.custom}"`
              : (FREQUENCY_WORDS[s.schedule.frequency] ?? s.schedule.frequency),
        },
        running: s.running,
        runInBackground: !s.variables.foregroundOnly,
        needsArrayStarted: s.variables.arrayStarted,
        logPath: s.logPath,
        log: s.log,
      })),
      message: scripts.length
        ? `${scripts.length} script(s).${running.length ? ` Running now: ${running.join(', ')}.` : ''}`
        : 'No User Scripts (the plugin is not installed, or has no scripts).',
    };
  },
});
