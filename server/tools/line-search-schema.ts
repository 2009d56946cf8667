import { z } from 'zod';
import { REGEX_MAX_LENGTH } from '../backends/docker/safe-regex.js';
import { parseTimeSpec, TIME_SPEC_HELP } from '../backends/docker/time-spec.js';

/**
 * The search fields of the log readers (docker_logs, syslog_read): one wording, one limit and one
 * time syntax for both, since both hand them to the same matcher (backends/docker/safe-regex.ts).
 */
export const timeSpecField = (what: string) =>
  z
    .string()
    .min(1)
    .max(40)
    .refine((v) => parseTimeSpec(v, Date.now()) !== null, { message: `must be ${TIME_SPEC_HELP}` })
    .optional()
    .describe(`${what}: ${TIME_SPEC_HELP}`);

export const grepField = z.string().min(1).max(200).optional().describe('Only lines containing this text');

export const regexField = z
  .string()
  .min(1)
  .max(REGEX_MAX_LENGTH)
  .optional()
  .describe(
    `Only lines matching this regular expression (RE2 syntax, as in Go: no backreferences or lookaround; at most ${REGEX_MAX_LENGTH} characters)`,
  );

export const ignoreCaseField = z
  .boolean()
  .default(true)
  .describe('Case-insensitive grep and regex (default true)');
