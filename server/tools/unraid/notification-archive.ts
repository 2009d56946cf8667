import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { archiveNotifications } from '../../backends/unraid/notification-archive.js';
import { isNotificationFileName } from '../../backends/unraid/notification-file.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { notifySettings } from './shared/notification-schemas.js';

/** Names listed in the answer; archiving thousands still reports the count. */
const LISTED = 50;

export const notificationArchive = defineTool({
  name: 'notification_archive',
  title: 'Archive Unraid notifications',
  description:
    'Archives unread notifications, as closing them in the WebGUI does: `file` (a name from ' +
    'notifications_list) for one, or `all: true` for every unread one. They stay in the archive ' +
    '(notifications_list state "archived"); nothing is deleted.',
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      file: z
        .string()
        .min(1)
        .max(210)
        .refine(isNotificationFileName, {
          message:
            'must be a notification file name as notifications_list shows it (ending in .notify, no folder)',
        })
        .optional()
        .describe('The notification to archive: its file name from notifications_list'),
      all: z.boolean().optional().describe('true: archive every unread notification'),
    })
    .strict(),
  output: z.object({
    archived: z.number().int().nonnegative().describe('Notifications archived'),
    files: z.array(z.string()).describe(`Their file names (the first ${LISTED})`),
    failed: z.array(z.object({ file: z.string(), reason: z.string() })).describe('Those that could not be'),
    message: z.string(),
  }),
  describe: (args) =>
    args.all ? 'Archive every unread notification.' : `Archive the notification ${args.file ?? '?'}.`,
  preflight: async (args) => check(args),
  run: async (args, ctx) => {
    check(args);
    const settings = await notifySettings(ctx);
    const r = await archiveNotifications(settings.path, args.all ? 'all' : { file: args.file as string });
    const n = r.archived.length;
    const message =
      n === 0 && r.failed.length === 0
        ? 'There were no unread notifications; nothing to archive.'
        : `${n} notification(s) archived.${r.failed.length ? ` ${r.failed.length} could not be: ${r.failed[0]?.reason}.` : ''}`;
    return { archived: n, files: r.archived.slice(0, LISTED), failed: r.failed.slice(0, LISTED), message };
  },
});

function check(args: { file?: string; all?: boolean }): void {
  if ((args.file === undefined) === (args.all !== true))
    throw new InvalidInputError(
      args.file === undefined
        ? 'Invalid arguments for notification_archive: give `file` (one notification) or `all: true`.'
        : 'Invalid arguments for notification_archive: give either `file` or `all: true`, not both.',
    );
}
