import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { readInstalledPlugins } from '../../backends/unraid/installed-plugins.js';
import { unraidLayout } from './shared/unraid-layout.js';

const pluginSchema = z.object({
  name: z.string(),
  file: z.string().describe('The .plg file name'),
  version: z.string().nullable(),
  author: z.string().nullable(),
  pluginURL: z.string().nullable().describe('Where the plugin manager looks for updates'),
  support: z.string().nullable().describe('Support thread or page'),
  minUnraid: z.string().nullable(),
  maxUnraid: z.string().nullable(),
  update: z.object({
    status: z
      .enum(['update_available', 'up_to_date', 'not_checked', 'no_update_url', 'unknown'])
      .describe(
        "From the plugin manager's last check (its downloaded copy); not_checked: no check since boot (Plugins → Check for updates in the WebGUI)",
      ),
    latestVersion: z.string().nullable(),
    checkedAt: z.string().nullable().describe('When the plugin manager downloaded the copy compared with'),
  }),
});

export const pluginsList = defineTool({
  name: 'plugins_list',
  title: 'List installed plugins',
  description:
    'Lists the installed Unraid plugins (the Plugins page of the WebGUI) with version and author from each .plg, and ' +
    "whether an update is known from the plugin manager's last check — nothing is downloaded here. The Unraid OS " +
    'itself is not listed. Plugin files that cannot be read are skipped and counted.',
  toolset: 'unraid',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({}).strict(),
  output: z.object({
    plugins: z.array(pluginSchema),
    updatesAvailable: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative().describe('Plugin files that could not be read or parsed'),
    skippedFiles: z.array(z.object({ file: z.string(), problem: z.string() })),
    message: z.string(),
  }),
  run: async (_args, ctx) => {
    const layout = unraidLayout(ctx);
    const { plugins, malformed } = await readInstalledPlugins(layout.pluginsDir, layout.pluginsCheckedDir);
    const updates = plugins.filter((p) => p.update.status === 'update_available');
    const notChecked = plugins.filter((p) => p.update.status === 'not_checked').length;
    const parts = [
      `${plugins.length} plugin(s) installed.`,
      updates.length
        ? `Updates known for: ${updates.map((p) => `${p.name} (${p.version ?? '?'} → ${p.update.latestVersion ?? '?'})`).join(', ')}.`
        : 'No update known.',
      notChecked ? `${notChecked} not checked for updates since boot.` : null,
      malformed.length ? `${malformed.length} plugin file(s) could not be read and were skipped.` : null,
    ];
    return {
      plugins,
      updatesAvailable: updates.length,
      skipped: malformed.length,
      skippedFiles: malformed,
      message: parts.filter(Boolean).join(' '),
    };
  },
});
