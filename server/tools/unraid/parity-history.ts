import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { readParityHistory } from '../../backends/unraid/parity-history.js';
import { unraidLayout } from './shared/unraid-layout.js';

const entry = z.object({
  date: z.string().describe('When it ended, server local time, YYYY-MM-DD HH:MM:SS'),
  finishedAt: z.iso.datetime().describe('The same instant, ISO 8601'),
  kind: z.enum(['parity_check', 'read_check', 'parity_sync', 'data_rebuild', 'disk_clear', 'unknown']),
  rawAction: z
    .string()
    .nullable()
    .describe('The action as logged: "check P", "check", "recon P", "clear"…; null on old lines'),
  durationSeconds: z.number().int().nonnegative(),
  speedBytesPerSecond: z.number().nonnegative().nullable().describe('Average speed; null when not recorded'),
  result: z.enum(['success', 'cancelled', 'error']),
  exitCode: z.number().int().describe('0 = OK, -4 = cancelled, anything else = an error code'),
  errors: z.number().int().nonnegative().describe('Sync errors found'),
  correcting: z
    .boolean()
    .nullable()
    .describe('Whether corrections were written; null unless the line says (the WebGUI does not log it)'),
  sizeBytes: z.number().nonnegative().nullable(),
  format: z.enum(['old', 'standard', 'tuning-plugin']).describe('Which line format the entry was read from'),
});

export const parityHistory = defineTool({
  name: 'parity_history',
  title: 'Parity check history',
  description:
    "Past parity checks, read-checks, parity syncs, rebuilds and disk clears from Unraid's history " +
    '(/boot/config/parity-checks.log), newest first: when each ended, how long it took, average speed, ' +
    'sync errors found and the result (OK, cancelled, error code). The log does not say whether a check ' +
    'was correcting, so `correcting` is null unless a plugin recorded it. Lines in no known format are ' +
    'skipped and counted. For the check running now use system_array_status.',
  toolset: 'unraid',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      limit: z.number().int().min(1).max(500).default(20).describe('How many of the newest entries (1–500)'),
    })
    .strict(),
  output: z.object({
    entries: z.array(entry).describe('Newest first'),
    skippedLines: z.number().int().nonnegative().describe('Lines read that matched no known format'),
    more: z.boolean().describe('True when older entries exist beyond `limit`'),
    message: z.string(),
  }),
  run: async ({ limit }, ctx) => {
    const h = await readParityHistory(unraidLayout(ctx).parityLog, limit, ctx.signal);
    const skipped = h.skippedLines > 0 ? ` ${h.skippedLines} line(s) in an unknown format were skipped.` : '';
    const message = !h.logExists
      ? 'No parity history yet: no check has finished on this server (the history file does not exist).'
      : h.entries.length === 0
        ? `The parity history holds no readable entries.${skipped}`
        : `${h.entries.length} most recent operation(s), newest first${h.more ? '; older ones exist (raise limit)' : ''}.${skipped}`;
    return { entries: h.entries, skippedLines: h.skippedLines, more: h.more, message };
  },
});
