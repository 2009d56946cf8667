import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { createNotification } from '../../backends/unraid/notification-create.js';
import { unraidLayout } from './shared/unraid-layout.js';
import {
  importanceSchema,
  notificationSchema,
  notifySettings,
  toNotification,
} from './shared/notification-schemas.js';
import { clientText } from './shared/notification-text.js';

/** The event every notification from here carries, so the owner sees where it came from. */
const EVENT = 'unraid-mcp';

export const notificationCreate = defineTool({
  name: 'notification_create',
  title: 'Raise an Unraid notification',
  description:
    'Raises a notification in Unraid\'s WebGUI (the bell), from the event "unraid-mcp": a `subject` line, a ' +
    "`description` and an `importance` (normal, warning, alert). It goes through Unraid's own notify script, " +
    "so the owner's notification settings decide whether it also goes out by e-mail or to agents (Discord, " +
    'Telegram…). Plain text only: control characters (line breaks, tabs) and "<" or ">" are refused, since ' +
    'the WebGUI shows notifications as HTML.',
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  input: z
    .object({
      subject: clientText('subject', 200).describe('One line: what happened (at most 200 characters)'),
      description: clientText('description', 1000).describe('The detail (at most 1000 characters, one line)'),
      importance: importanceSchema.default('normal').describe('normal (default), warning or alert'),
    })
    .strict(),
  output: z.object({
    created: z.boolean().describe('True when the notification file is there to read back'),
    via: z
      .enum(['notify-script', 'files'])
      .describe("Unraid's notify script, or the files written directly (a host without the script)"),
    unread: z
      .boolean()
      .describe("True when it shows in the WebGUI's bell (the owner's setting per importance)"),
    notification: notificationSchema.nullable().describe('As read back from its file'),
    message: z.string(),
  }),
  describe: (args) => `Raise a ${args.importance} notification in the WebGUI: "${args.subject}".`,
  run: async (args, ctx) => {
    const settings = await notifySettings(ctx);
    const made = await createNotification({
      dir: settings.path,
      settings,
      script: unraidLayout(ctx).notifyScript,
      notification: {
        event: EVENT,
        subject: args.subject,
        description: args.description,
        importance: args.importance,
      },
      now: ctx.deps.now,
      signal: ctx.signal,
    });
    const notification =
      made.file && made.stored
        ? toNotification({ file: made.file, state: made.unread ? 'unread' : 'archived', ...made.stored })
        : null;
    const message = !notification
      ? "Unraid's notify script ran without an error, but no notification file appeared; notify writes nothing when its e-mail test mode is on or the same event already has a file for that second. Nothing was confirmed."
      : made.unread
        ? `Notification raised (${notification.file}); it shows in the WebGUI's bell.`
        : `Notification raised (${notification.file}) and archived at once: the owner's settings do not show ${args.importance} notifications in the browser.`;
    return { created: notification !== null, via: made.via, unread: made.unread, notification, message };
  },
});
