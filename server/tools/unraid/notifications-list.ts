import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { listNotifications } from '../../backends/unraid/notification-list.js';
import { parseTimeSpec, TIME_SPEC_HELP } from '../../backends/docker/time-spec.js';
import {
  importanceSchema,
  notificationSchema,
  notifySettings,
  toNotification,
} from './shared/notification-schemas.js';

export const notificationsList = defineTool({
  name: 'notifications_list',
  title: 'List Unraid notifications',
  description:
    "Unraid's notifications (the WebGUI's bell: array and disk problems, parity results, SMART warnings, " +
    'plugin and container updates…), newest first. `state`: unread, archived or all (default). Filters: ' +
    '`importance` (normal, warning, alert), `subject` (text it contains, case-insensitive), `since` ("2d", ' +
    'or an ISO time). Each entry has its file name, which notification_archive takes. Files that are not ' +
    'valid notifications are skipped and counted.',
  toolset: 'unraid',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      state: z
        .enum(['unread', 'archived', 'all'])
        .default('all')
        .describe('Which notifications (default all)'),
      importance: importanceSchema.optional().describe('Only this importance'),
      subject: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('Only subjects containing this text (any case)'),
      since: z
        .string()
        .min(1)
        .max(40)
        .refine((v) => parseTimeSpec(v, Date.now()) !== null, { message: `must be ${TIME_SPEC_HELP}` })
        .optional()
        .describe(`Only notifications raised at or after this time: ${TIME_SPEC_HELP}`),
      limit: z
        .number()
        .int()
        .min(1)
        .max(200)
        .default(20)
        .describe('How many of the newest to return (1–200)'),
    })
    .strict(),
  output: z.object({
    notifications: z.array(notificationSchema).describe('Newest first'),
    unreadTotal: z.number().int().nonnegative().describe('Unread notifications in the folder (all of them)'),
    archivedTotal: z
      .number()
      .int()
      .nonnegative()
      .describe('Archived notifications in the folder (all of them)'),
    skippedFiles: z
      .number()
      .int()
      .nonnegative()
      .describe('Files read that are not valid notifications (skipped)'),
    more: z.boolean().describe('True when more notifications match than were returned'),
    folder: z.string().describe("The notification folder from the owner's settings"),
    message: z.string(),
  }),
  run: async (args, ctx) => {
    const settings = await notifySettings(ctx);
    const since = args.since === undefined ? undefined : (parseTimeSpec(args.since, Date.now()) as number);
    const list = await listNotifications(settings.path, {
      state: args.state,
      importance: args.importance,
      subject: args.subject,
      since: since === undefined ? undefined : Math.floor(since / 1000),
      limit: args.limit,
      signal: ctx.signal,
    });
    const parts: string[] = [];
    if (list.missingFolders.length === 2)
      parts.push(
        'No notifications: the notification folder has no unread/ or archive/ yet (Unraid creates them with the first notification).',
      );
    else {
      const which = args.state === 'all' ? '' : `${args.state} `;
      parts.push(
        list.entries.length === 0
          ? `No ${which}notifications match.`
          : `${list.entries.length} ${which}notification(s), newest first${list.more ? '; more exist (raise limit or narrow)' : ''}.`,
      );
      parts.push(`${list.totals.unread} unread and ${list.totals.archived} archived in all.`);
    }
    if (list.skipped > 0)
      parts.push(
        `${list.skipped} file(s) are not valid notifications and were skipped (${list.skippedExamples
          .map((s) => `${s.file}: ${s.reason}`)
          .join('; ')}).`,
      );
    return {
      notifications: list.entries.map(toNotification),
      unreadTotal: list.totals.unread,
      archivedTotal: list.totals.archived,
      skippedFiles: list.skipped,
      more: list.more,
      folder: settings.path,
      message: parts.join(' '),
    };
  },
});
