import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { inspectVisibleContainer } from '../../backends/docker/inspect-container.js';
import { shortId } from '../../backends/docker/container-summary.js';
import { openLogStream } from '../../backends/docker/open-log-stream.js';
import { scanLogStream, type LogScan } from '../../backends/docker/log-stream.js';
import { buildLineFilter } from '../../backends/docker/log-filter.js';
import { LOG_LEVELS } from '../../backends/docker/log-levels.js';
import { SafeRegexError } from '../../backends/docker/safe-regex.js';
import { MAX_LINE_BYTES } from '../../backends/docker/line-splitter.js';
import { dockerTimestamp, parseTimeSpec } from '../../backends/docker/time-spec.js';
import { grepField, ignoreCaseField, regexField, timeSpecField } from '../line-search-schema.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';

export const MAX_TAIL = 5000;
export const MAX_CONTEXT = 20;
/**
 * Bytes of serialised lines a result may hold. Under the default 40 KB response cap with room for the
 * other fields: the wrapper's own cap would keep the *oldest* lines of an oversized list, while for
 * logs the newest matter, so the log tool drops from the old end itself and says so in `hint`.
 */
export const LOG_BUDGET_BYTES = 32 * 1024;

const line = z.object({
  n: z
    .number()
    .int()
    .describe(
      'Position among the lines read (1 = oldest read); gaps show where lines between context groups were skipped',
    ),
  stream: z.enum(['stdout', 'stderr']).describe('Output stream; a TTY container has only stdout'),
  time: z
    .string()
    .optional()
    .describe('When Docker received the line (RFC 3339, nanoseconds); only with timestamps=true'),
  text: z
    .string()
    .describe(`The line; over ${MAX_LINE_BYTES} bytes it is cut, ending in "… [line cut: N more bytes]"`),
  match: z
    .literal(true)
    .optional()
    .describe('Set on lines that matched grep/regex/level; context lines lack it'),
});

export const dockerLogs = defineTool({
  name: 'docker_logs',
  title: 'Read container logs',
  description:
    "Reads a container's log (what it wrote to stdout/stderr) and returns the newest lines: by default the last " +
    '200. Use it to find out why a container failed, crashed or misbehaves. Narrow instead of paging: ' +
    '`since`/`until` ("10m", "2h", or an ISO time), `grep` (substring) or `regex` (no backreferences or ' +
    'lookaround), `level` (error, warn or info and worse — recognises level=error, "level":"error", [ERROR], ' +
    'ERROR:, Error:, glog E0601 …; lines without a recognisable level are left out), `stdout`/`stderr`. ' +
    '`tail` bounds what is read — the last `tail` lines of the log (as Docker counts them, both streams) — and ' +
    'filters apply to those, like `docker logs --tail N | grep`; to search further back give `since` (then a ' +
    'filter searches the whole since/until window and returns the last `tail` matches). `context` adds lines ' +
    'around each match. Counts say how many lines were read and matched. Results are limited to about 32 KB: ' +
    'when lines had to be dropped, `hint` says so and how to narrow.',
  toolset: 'docker',
  scope: 'read',
  timeoutMs: 120_000,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      id: containerRef,
      tail: z
        .number()
        .int()
        .min(1)
        .max(MAX_TAIL)
        .default(200)
        .describe(
          `How many of the newest log lines to read (and at most how many to return), newest last; default 200, at most ${MAX_TAIL}`,
        ),
      since: timeSpecField('Only lines logged at or after this time'),
      until: timeSpecField('Only lines logged before this time'),
      stdout: z.boolean().default(true).describe('Include standard output (default true)'),
      stderr: z.boolean().default(true).describe('Include standard error (default true)'),
      timestamps: z
        .boolean()
        .default(false)
        .describe("Add each line's Docker receive time as `time` (default false)"),
      grep: grepField,
      regex: regexField,
      ignoreCase: ignoreCaseField,
      level: z
        .enum(LOG_LEVELS)
        .optional()
        .describe(
          'Only lines of at least this severity: "error"; "warn" = warnings and errors; "info" = info and worse',
        ),
      context: z
        .number()
        .int()
        .min(0)
        .max(MAX_CONTEXT)
        .default(0)
        .describe(`Lines to show before and after each match (0–${MAX_CONTEXT}); needs grep, regex or level`),
    })
    .strict(),
  output: z.object({
    container: z.string().describe('Container name'),
    id: z.string().describe('Short container ID'),
    tty: z
      .boolean()
      .describe('True when the container runs with a TTY: its output is one stream, reported as stdout'),
    lines: z.array(line).describe('Oldest first'),
    scanned: z.number().int().describe('Lines read from Docker (after stream and time selection)'),
    matched: z.number().int().describe('Lines that matched the filters (equals scanned without filters)'),
    returned: z.number().int().describe('Matching lines in `lines` (context lines not counted)'),
    hint: z
      .string()
      .optional()
      .describe('Present when lines were left out or cut, with how to narrow the request'),
  }),
  target: ({ id }) => ({ kind: 'container', ref: id }),
  run: async (args, ctx) => {
    if (!args.stdout && !args.stderr)
      throw new InvalidInputError(
        'Invalid arguments for docker_logs: stdout and stderr are both false, so there is nothing to read.',
      );
    const now = Date.now();
    const since = args.since === undefined ? undefined : (parseTimeSpec(args.since, now) as number);
    const until = args.until === undefined ? undefined : (parseTimeSpec(args.until, now) as number);
    if (since !== undefined && until !== undefined && until <= since) {
      throw new InvalidInputError(
        `Invalid arguments for docker_logs: until (${new Date(until).toISOString()}) is not after since (${new Date(since).toISOString()}).`,
      );
    }
    let match;
    try {
      match = buildLineFilter({
        grep: args.grep,
        regex: args.regex,
        ignoreCase: args.ignoreCase,
        level: args.level,
      });
    } catch (err) {
      if (err instanceof SafeRegexError)
        throw new InvalidInputError(
          `Invalid arguments for docker_logs: regex rejected — ${err.message}. Simplify the pattern, or use grep for plain text.`,
        );
      throw err;
    }
    if (args.context > 0 && !match)
      throw new InvalidInputError(
        'Invalid arguments for docker_logs: context needs grep, regex or level (without a filter, raise tail instead).',
      );

    const docker = await ctx.deps.docker();
    const { info, name } = await inspectVisibleContainer(
      docker,
      args.id,
      (n) => ctx.visible('container', n),
      ctx.signal,
    );
    const tty = info.Config?.Tty ?? false;
    const logDriver = info.HostConfig?.LogConfig?.Type;
    if (logDriver === 'none')
      throw new ConflictError(
        `container "${name}" has logging turned off (log driver "none"), so there are no logs to read.`,
      );
    // A TTY container's output is all "stdout": asking for stderr alone gives nothing.
    if (tty && !args.stdout) {
      return {
        container: name,
        id: shortId(info.Id),
        tty,
        lines: [],
        scanned: 0,
        matched: 0,
        returned: 0,
        hint: 'This container runs with a TTY, so all its output is on stdout; set stdout=true.',
      };
    }
    // `tail` bounds the work: Docker reads only the end of the log file, whatever its size. Only an explicit
    // time window with a filter (or one stream — Docker tails before it selects streams) is searched whole:
    // the caller asked for exactly that range.
    const dockerTail =
      since !== undefined && (match !== null || !(args.stdout && args.stderr)) ? ('all' as const) : args.tail;
    const stream = await dockerCall(`Reading the logs of container "${name}"`, () =>
      openLogStream(
        docker,
        info.Id,
        {
          stdout: args.stdout,
          stderr: args.stderr,
          timestamps: args.timestamps,
          tail: dockerTail,
          ...(since !== undefined ? { since: dockerTimestamp(since) } : {}),
          ...(until !== undefined ? { until: dockerTimestamp(until) } : {}),
        },
        ctx.signal,
      ),
    ).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode === 501) {
        throw new ConflictError(
          `container "${name}" uses the "${logDriver ?? 'unknown'}" log driver, which Docker cannot read logs back from.`,
        );
      }
      throw err;
    });
    const destroy = () => stream.destroy();
    ctx.signal.addEventListener('abort', destroy, { once: true });
    let scan: LogScan;
    try {
      scan = await scanLogStream(stream, {
        tty,
        timestamps: args.timestamps,
        match,
        limits: {
          tail: args.tail,
          context: args.context,
          budgetBytes: LOG_BUDGET_BYTES,
          filtered: match !== null,
        },
        signal: ctx.signal,
        onProgress: (bytes) =>
          void ctx
            .progress(bytes, undefined, `read ${Math.round(bytes / 1048576)} MB of log`)
            .catch(() => {}),
      });
    } finally {
      ctx.signal.removeEventListener('abort', destroy);
      stream.destroy();
    }
    const hint = hintFor(scan, args.tail, dockerTail !== 'all', match !== null);
    return {
      container: name,
      id: shortId(info.Id),
      tty,
      lines: scan.lines,
      scanned: scan.scanned,
      matched: scan.matched,
      returned: scan.returnedMatches,
      ...(hint ? { hint } : {}),
    };
  },
});

/** Says what was left out and how to narrow; undefined when the result is complete. */
function hintFor(scan: LogScan, tail: number, dockerTail: boolean, filtered: boolean): string | undefined {
  const parts: string[] = [];
  const what = filtered ? 'matching lines' : 'lines';
  if (scan.droppedByBudget > 0) {
    parts.push(
      `truncated — only the newest ${scan.returnedMatches} ${what} fit in the response (${scan.droppedByBudget} more dropped); narrow with since/until/grep or a smaller tail`,
    );
  }
  if (scan.droppedByTail > 0) {
    parts.push(
      `${scan.matched} ${what} in the range, the last ${tail} kept (tail); narrow with since/until${filtered ? ' or a more specific filter' : '/grep'} to see older ones`,
    );
  }
  if (dockerTail && scan.scanned >= tail)
    parts.push(
      `only the last ${tail} lines were read; older lines may exist — raise tail (at most ${MAX_TAIL}) or give since to search a time window`,
    );
  if (scan.cutLines > 0) parts.push(`${scan.cutLines} line(s) longer than ${MAX_LINE_BYTES} bytes were cut`);
  if (scan.incomplete)
    parts.push('the log ended in the middle of a record (Docker or the connection cut it short)');
  return parts.length ? `${parts.join('; ')}.` : undefined;
}
