/**
 * One Unraid notification file (`*.notify` under `<path>/unread/` or `<path>/archive/`): INI lines
 * `timestamp=` (unix seconds), `event=`, `subject=`, `description=`, `importance=`, then `link=` in
 * the unread copy or an optional `message=` in the archived one.
 *
 * Two value forms exist in the field: bare values (`event=Unraid Status`, written by releases up to
 * late 2025) and double-quoted ones with `\"` and `\\` escaped (`event="Unraid Status"`, current
 * releases; the timestamp stays bare). Both are read; files are written in the current form.
 */
export const IMPORTANCE = ['normal', 'warning', 'alert'] as const;
export type Importance = (typeof IMPORTANCE)[number];

export interface NotificationFields {
  /** Unix seconds. */
  timestamp: number;
  event: string;
  subject: string;
  description: string;
  importance: Importance;
  /** Where clicking the notification leads (unread copies); empty when none. */
  link?: string;
  /** The long text some senders add (archived copies). */
  message?: string;
}

export type ParsedNotification = { ok: true; fields: NotificationFields } | { ok: false; reason: string };

/** A notification file is a few hundred bytes; anything this large is not one. */
export const MAX_NOTIFICATION_BYTES = 64 * 1024;

const KNOWN_KEYS = new Set(['timestamp', 'event', 'subject', 'description', 'importance', 'link', 'message']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a file's bytes as a notification, or says in a few words why it is not one. */
export function parseNotification(bytes: Uint8Array): ParsedNotification {
  if (bytes.length > MAX_NOTIFICATION_BYTES) return { ok: false, reason: 'larger than 64 KB' };
  if (bytes.includes(0)) return { ok: false, reason: 'binary content' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'not UTF-8 text' };
  }
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'a line that is not key=value' };
    const key = line.slice(0, eq).trim();
    if (KNOWN_KEYS.has(key) && !values.has(key)) values.set(key, decodeValue(line.slice(eq + 1)));
  }
  const ts = values.get('timestamp') ?? '';
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'no valid timestamp' };
  const importance = values.get('importance');
  if (!IMPORTANCE.includes(importance as Importance))
    return { ok: false, reason: importance === undefined ? 'no importance' : 'an unknown importance' };
  const event = values.get('event');
  const subject = values.get('subject');
  if (event === undefined || subject === undefined) return { ok: false, reason: 'no event or subject' };
  const fields: NotificationFields = {
    timestamp: Number(ts),
    event,
    subject,
    description: values.get('description') ?? '',
    importance: importance as Importance,
  };
  const link = values.get('link');
  if (link !== undefined) fields.link = link;
  const message = values.get('message');
  if (message !== undefined) fields.message = message;
  return { ok: true, fields };
}

/** A bare value as is; a double-quoted one without its quotes, each `\x` read as `x`. */
function decodeValue(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/gs, '$1');
  return v;
}

const encodeValue = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * The file text Unraid's notify writes: the archived copy without `link`, the unread one with it.
 * Values must already be free of line breaks (the tools refuse control characters).
 */
export function formatNotification(f: NotificationFields, copy: 'unread' | 'archive'): string {
  const lines = [
    `timestamp=${f.timestamp}`,
    `event=${encodeValue(f.event)}`,
    `subject=${encodeValue(f.subject)}`,
    `description=${encodeValue(f.description)}`,
    `importance=${encodeValue(f.importance)}`,
  ];
  if (copy === 'unread') lines.push(`link=${encodeValue(f.link ?? '')}`);
  else if (f.message) lines.push(`message=${encodeValue(f.message)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The file name notify gives `<event>-<timestamp>.notify`: made safe for a file name by dropping
 * everything but letters, digits, space, `.`, `_` and `-`, then turning spaces and `-` into `_`
 * ("unraid-mcp" at 1765094400 → `unraid_mcp_1765094400.notify`).
 */
export function notificationFileName(event: string, timestamp: number): string {
  return `${event}-${timestamp}.notify`
    .replace(/[^A-Za-z0-9 ._-]/g, '')
    .trim()
    .replace(/[- ]/g, '_');
}

/** The timestamp a notify-made file name carries (`…_1765094400.notify`), or null. */
export function timestampFromFileName(name: string): number | null {
  const m = /_(\d{9,11})\.notify$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** A name a client may pass to pick one notification: a plain `*.notify` file name, no folder. */
export function isNotificationFileName(name: string): boolean {
  return /^[A-Za-z0-9%+@^._ -]{1,200}\.notify$/.test(name) && !name.startsWith('.');
}
