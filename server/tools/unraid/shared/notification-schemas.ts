import { z } from 'zod';
import { IMPORTANCE } from '../../../backends/unraid/notification-file.js';
import { readNotifySettings, type NotifySettings } from '../../../backends/unraid/notify-settings.js';
import type { ToolContext } from '../../context.js';
import { unraidLayout } from './unraid-layout.js';

/** The owner's notification settings, read per call (the folder can move between calls). */
export async function notifySettings(ctx: ToolContext): Promise<NotifySettings> {
  return readNotifySettings(unraidLayout(ctx).dynamixCfg);
}

export const importanceSchema = z.enum(IMPORTANCE);

export const notificationSchema = z.object({
  file: z.string().describe('The file name; notification_archive takes it'),
  state: z.enum(['unread', 'archived']),
  time: z.iso.datetime().describe('When it was raised (ISO 8601, UTC)'),
  event: z
    .string()
    .describe('Who raised it: "Unraid Status", "Unraid Parity check", a plugin, "unraid-mcp"…'),
  subject: z.string(),
  description: z.string(),
  importance: importanceSchema.describe('normal, warning or alert'),
  link: z.string().optional().describe('A WebGUI page the notification points to (unread ones), when set'),
  message: z.string().optional().describe('The longer text some senders add (archived ones)'),
});

/** The entry as the tools report it: the timestamp as an ISO time, empty link and message left out. */
export function toNotification(e: {
  file: string;
  state: 'unread' | 'archived';
  timestamp: number;
  event: string;
  subject: string;
  description: string;
  importance: (typeof IMPORTANCE)[number];
  link?: string;
  message?: string;
}): z.infer<typeof notificationSchema> {
  return {
    file: e.file,
    state: e.state,
    time: new Date(e.timestamp * 1000).toISOString(),
    event: e.event,
    subject: e.subject,
    description: e.description,
    importance: e.importance,
    ...(e.link ? { link: e.link } : {}),
    ...(e.message ? { message: e.message } : {}),
  };
}
