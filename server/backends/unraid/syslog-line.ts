/**
 * One line of Unraid's /var/log/syslog (rsyslog, traditional format):
 * `Dec  7 08:00:01 Tower kernel: ata3: hard resetting link` — month, space-padded day, time, host,
 * the program (`kernel`, `emhttpd`, `smbd[1234]`), then the message. No year and no priority.
 * An RFC 3339 stamp in front (`2026-12-07T08:00:01.123+01:00 Tower …`, when the owner changed the
 * template) is read too.
 */
export interface SyslogLine {
  /** The line as text, safe to show: invalid UTF-8 as U+FFFD, control characters as `\xNN`. */
  text: string;
  /** Epoch milliseconds, or null when the line has no time stamp (a continuation, a fragment). */
  time: number | null;
  /** Where the stamp and host end (0 when the line has none); syslogMessage() finds the message from there. */
  headerEnd: number;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) \S{1,255} /;
/** `program:` or `program[pid]:` after the host. */
const PROGRAM = /^[^\s:[\]]{1,64}(?:\[\d{1,10}\])?: ?/;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/**
 * A line's text, safe to show, or null for bytes that are not a text line: a NUL (a crash leaves
 * runs of them in a log file), or more than a quarter of the bytes control characters. Invalid UTF-8
 * becomes U+FFFD, a `\r` at the end is dropped, other control characters are written as `\xNN`.
 */
export function lineText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  let text = bytes.toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (!HAS_CONTROL.test(text)) return text;
  let control = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if ((b < 0x20 && b !== 0x09) || b === 0x7f) control++;
  }
  if (control * 4 > bytes.length) return null;
  return text.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Gives traditional syslog stamps their missing year. The file is read newest line first: the newest
 * line is taken to be no later than a day past the file's last write (else it is from the year
 * before), and each older line no later than a day past the line after it — so reading back across
 * New Year (Jan after Dec) steps the year back.
 */
export class YearInference {
  private year: number;
  private newer: number;
  private cachedKey = -1;
  private cachedMs = 0;

  constructor(fileModifiedMs: number) {
    this.year = new Date(fileModifiedMs).getFullYear();
    this.newer = fileModifiedMs;
  }

  /** The local time of the hour's start: one Date per hour of log, not one per line. */
  private hourStart(month: number, day: number, h: number): number {
    const key = ((this.year * 12 + month) * 32 + day) * 24 + h;
    if (key !== this.cachedKey) {
      this.cachedKey = key;
      this.cachedMs = new Date(this.year, month, day, h).getTime();
    }
    return this.cachedMs;
  }

  /** Where the stamp and host of the line last given to parseTime end (0: the line has none). */
  headerEnd = 0;

  /** The time parseTime would give the line, without moving on (the year, the newer line stay). */
  peekTime(text: string): number | null {
    const { year, newer, headerEnd } = this;
    const time = this.parseTime(text);
    this.year = year;
    this.newer = newer;
    this.headerEnd = headerEnd;
    return time;
  }

  /** Parses a line read in newest-first order. */
  parse(text: string): SyslogLine {
    const time = this.parseTime(text);
    return { text, time, headerEnd: this.headerEnd };
  }

  /** The line's time (null without a stamp), read in newest-first order; sets `headerEnd`. No allocation. */
  parseTime(text: string): number | null {
    this.headerEnd = 0;
    const c = text.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) {
      const iso = RFC3339.exec(text);
      if (!iso) return null;
      const time = Date.parse(iso[1] as string);
      if (!Number.isFinite(time)) return null;
      this.headerEnd = iso[0].length;
      return time;
    }
    // `Mmm dd hh:mm:ss host ` has fixed places up to the host: read them by character, no regex.
    if (
      text.length < 18 ||
      text.charCodeAt(3) !== 32 ||
      text.charCodeAt(6) !== 32 ||
      text.charCodeAt(15) !== 32
    )
      return null;
    const month = MONTHS[text.slice(0, 3)];
    const day = (text.charCodeAt(4) === 32 ? 0 : digit(text, 4) * 10) + digit(text, 5);
    const h = digit(text, 7) * 10 + digit(text, 8);
    const min = digit(text, 10) * 10 + digit(text, 11);
    const s = digit(text, 13) * 10 + digit(text, 14);
    const hostEnd = text.indexOf(' ', 16);
    if (
      month === undefined ||
      text.charCodeAt(9) !== 58 ||
      text.charCodeAt(12) !== 58 ||
      !(day >= 1 && day <= 31 && h <= 23 && min <= 59 && s <= 60) ||
      hostEnd < 17 ||
      hostEnd > 16 + 255
    )
      return null;
    let time = this.hourStart(month, day, h) + min * 60_000 + s * 1000;
    if (time > this.newer + DAY_MS) {
      this.year--;
      time = this.hourStart(month, day, h) + min * 60_000 + s * 1000;
    }
    this.newer = time;
    this.headerEnd = hostEnd + 1;
    return time;
  }
}

const DAY_MS = 86_400_000;

/** The digit at `i`, or NaN (which fails every range check) when it is not one. */
function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
}

/** What follows `host program:`; the whole text when the line has no header. */
export function syslogMessage(text: string, headerEnd: number): string {
  if (headerEnd === 0) return text;
  const rest = text.slice(headerEnd);
  const p = PROGRAM.exec(rest);
  return p ? rest.slice(p[0].length) : rest;
}
