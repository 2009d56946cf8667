import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import {
  searchSyslog,
  MAX_SYSLOG_LINE_BYTES,
  type SyslogSearch,
} from '../../backends/unraid/syslog-search.js';
import { SYSLOG_SEVERITIES } from '../../backends/unraid/syslog-severity.js';
import { SafeRegex, SafeRegexError } from '../../backends/docker/safe-regex.js';
import { parseTimeSpec } from '../../backends/docker/time-spec.js';
import { grepField, ignoreCaseField, regexField, timeSpecField } from '../line-search-schema.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { unraidLayout } from './shared/unraid-layout.js';

const MAX_TAIL = 5000;
const MAX_CONTEXT = 20;
/** Bytes of lines a result may hold: under the default 40 KB response cap, the newest kept. */
const LINES_BUDGET_BYTES = 32 * 1024;
/** A `since` search reads at most this much of the log (Unraid keeps /var/log in a 128 MB RAM disk). */
const SINCE_MAX_BYTES = 512 * 1024 * 1024;

const line = z.object({
  n: z.number().int().describe('Position among the lines read (1 = oldest read); gaps show skipped lines'),
  time: z.iso
    .datetime()
    .nullable()
    .describe(
      'When it was logged (ISO 8601, UTC; the year inferred, syslog lines carry none); null if the line has no stamp',
    ),
  severity: z
    .enum(['error', 'warning', 'info'])
    .describe('Judged from the words of the line (see the tool description)'),
  text: z
    .string()
    .describe(
      `The line; control characters as \\xNN; over ${MAX_SYSLOG_LINE_BYTES} bytes it is cut, ending in "… [line cut: N more bytes]"`,
    ),
  rotated: z.literal(true).optional().describe('Set on lines from the previous log (syslog.1)'),
  match: z.literal(true).optional().describe('Set on lines that matched the filters; context lines lack it'),
});

export const syslogRead = defineTool({
  name: 'syslog_read',
  title: 'Read the Unraid system log',
  description:
    "Reads Unraid's system log (/var/log/syslog: kernel, emhttpd, disks, network, services) from its end, newest " +
    'lines last: by default the last 200. Like `tail -n N | grep`: `tail` lines are read and the filters apply to ' +
    'those; give `since` ("2h", "1d" or an ISO time) to search back to that time instead (then the newest `tail` ' +
    'matches are returned). Filters: `grep` (text), `regex` (RE2 syntax: no backreferences or lookaround), ' +
    '`severity` ("error", or "warning" for warnings and errors). Unraid writes no priority into its syslog, so ' +
    'severity is judged from what a line says: errors are I/O errors, call traces, kernel BUG/Oops, segfaults, ' +
    'out of memory, panic, fatal, critical, corrupt, error, failed; warnings are warn(ing), timeouts, retries, ' +
    'resets, denied, refused, cannot/unable, invalid, missing, degraded, not responding — "0 errors" is not an error. `context` ' +
    'adds lines around each match; `rotated` also reads the previous log (syslog.1) when the current one does not ' +
    'reach back far enough. Lines of binary garbage are skipped and counted.',
  toolset: 'unraid',
  scope: 'read',
  timeoutMs: 60_000,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      tail: z
        .number()
        .int()
        .min(1)
        .max(MAX_TAIL)
        .default(200)
        .describe(
          `How many of the newest lines to read (with since: at most how many matches to return); default 200, at most ${MAX_TAIL}`,
        ),
      since: timeSpecField('Search back to this time'),
      grep: grepField,
      regex: regexField,
      ignoreCase: ignoreCaseField,
      severity: z
        .enum(SYSLOG_SEVERITIES)
        .optional()
        .describe('Only lines of at least this severity: "error", or "warning" (warnings and errors)'),
      context: z
        .number()
        .int()
        .min(0)
        .max(MAX_CONTEXT)
        .default(0)
        .describe(
          `Lines to show before and after each match (0–${MAX_CONTEXT}); needs grep, regex or severity`,
        ),
      rotated: z
        .boolean()
        .default(false)
        .describe('Also read the previous log (syslog.1) when needed (default false)'),
    })
    .strict(),
  output: z.object({
    lines: z.array(line).describe('Oldest first'),
    scanned: z.number().int().describe('Lines read'),
    matched: z
      .number()
      .int()
      .describe('Lines read that matched the filters (all text lines without filters)'),
    returned: z.number().int().describe('Matching lines in `lines` (context lines not counted)'),
    binaryLines: z.number().int().describe('Lines of binary garbage (NUL bytes, control characters) skipped'),
    hint: z.string().optional().describe('Present when lines were left out or cut, with how to narrow'),
  }),
  run: async (args, ctx) => {
    let regex: SafeRegex | undefined;
    try {
      regex = args.regex === undefined ? undefined : new SafeRegex(args.regex, args.ignoreCase);
    } catch (err) {
      if (err instanceof SafeRegexError)
        throw new InvalidInputError(
          `Invalid arguments for syslog_read: regex rejected — ${err.message}. Simplify the pattern, or use grep for plain text.`,
        );
      throw err;
    }
    const filtered = args.grep !== undefined || regex !== undefined || args.severity !== undefined;
    if (args.context > 0 && !filtered)
      throw new InvalidInputError(
        'Invalid arguments for syslog_read: context needs grep, regex or severity (without a filter, raise tail instead).',
      );
    const sinceMs = args.since === undefined ? undefined : (parseTimeSpec(args.since, Date.now()) as number);
    const scan = await searchSyslog({
      path: unraidLayout(ctx).syslog,
      rotated: args.rotated,
      tail: args.tail,
      sinceMs,
      grep: args.grep,
      regex,
      ignoreCase: args.ignoreCase,
      minSeverity: args.severity,
      context: args.context,
      maxScanBytes: SINCE_MAX_BYTES,
      signal: ctx.signal,
    });
    const { lines, dropped } = newestWithin(scan, LINES_BUDGET_BYTES);
    const returned = lines.filter((l) => l.match === true).length;
    const hint = hintFor(scan, {
      ...args,
      filtered,
      dropped,
      returned,
      cut: lines.filter((l) => l.cut).length,
    });
    return {
      lines: lines.map(({ cut: _cut, ...l }) => l),
      scanned: scan.scanned,
      matched: scan.matched,
      returned,
      binaryLines: scan.binaryLines,
      ...(hint ? { hint } : {}),
    };
  },
});

type OutLine = z.infer<typeof line> & { cut: boolean };

/** The lines as reported, newest kept first until the budget is spent; the count left out. */
function newestWithin(scan: SyslogSearch, budget: number): { lines: OutLine[]; dropped: number } {
  const out: OutLine[] = [];
  let used = 0;
  for (let i = scan.lines.length - 1; i >= 0; i--) {
    const l = scan.lines[i] as SyslogSearch['lines'][number];
    const entry: OutLine = {
      n: l.n,
      time: l.time === null ? null : new Date(l.time).toISOString(),
      severity: l.severity,
      text: l.cutBytes > 0 ? `${l.text}… [line cut: ${l.cutBytes} more bytes]` : l.text,
      ...(l.file === 'rotated' ? { rotated: true as const } : {}),
      ...(l.match ? { match: true as const } : {}),
      cut: l.cutBytes > 0,
    };
    used += JSON.stringify(entry).length + 1;
    if (used > budget) return { lines: out.reverse(), dropped: i + 1 };
    out.push(entry);
  }
  return { lines: out.reverse(), dropped: 0 };
}

function hintFor(
  scan: SyslogSearch,
  a: {
    tail: number;
    since?: string;
    rotated: boolean;
    filtered: boolean;
    dropped: number;
    returned: number;
    cut: number;
  },
): string | undefined {
  const parts: string[] = [];
  const what = a.filtered ? 'matching lines' : 'lines';
  if (a.dropped > 0)
    parts.push(
      `truncated — only the newest ${a.returned} ${what} fit in the response (${a.dropped} older line(s) dropped); narrow with since, grep or a smaller tail`,
    );
  if (scan.stoppedBy === 'tail')
    parts.push(
      `only the last ${a.tail} lines were read; older lines exist — raise tail (at most ${MAX_TAIL}) or give since to search a time window`,
    );
  if (scan.stoppedBy === 'matches')
    parts.push(
      `the newest ${a.tail} ${what} since ${a.since ?? '?'} were kept; older ones may exist — narrow since or the filter`,
    );
  if (scan.stoppedBy === 'budget')
    parts.push(
      `the search stopped after reading ${Math.round(SINCE_MAX_BYTES / 1048576)} MB of log; give a later since`,
    );
  if (scan.stoppedBy === 'start' && !a.rotated && a.since !== undefined)
    parts.push('the current log starts after since; rotated: true also reads the previous log (syslog.1)');
  if (scan.rotatedMissing) parts.push('there is no previous log (syslog.1) to read');
  if (scan.binaryLines > 0) parts.push(`${scan.binaryLines} line(s) of binary garbage were skipped`);
  if (a.cut > 0) parts.push(`${a.cut} line(s) longer than ${MAX_SYSLOG_LINE_BYTES} bytes were cut`);
  return parts.length ? `${parts.join('; ')}.` : undefined;
}
