import { atLeast, type LogLevelFilter } from './log-levels.js';
import { SafeRegex } from './safe-regex.js';

export interface LineFilterSpec {
  /** Plain substring. */
  grep?: string;
  /** Pattern for SafeRegex (linear time); throws SafeRegexError when it cannot be run. */
  regex?: string;
  ignoreCase: boolean;
  /** Minimum severity (see log-levels.ts for how levels are recognised). */
  level?: LogLevelFilter;
}

/**
 * What a line must pass: the cheap tests (substring, level), run in this thread, and the regex, which
 * scanLogStream runs on a worker thread (regex-worker.ts). A line matches when it passes both.
 */
export interface LineFilter {
  test: ((text: string) => boolean) | null;
  regex: SafeRegex | null;
}

/** The filter for a spec, or null when nothing filters (every line matches). Validates the regex now. */
export function buildLineFilter(spec: LineFilterSpec): LineFilter | null {
  const tests: Array<(text: string) => boolean> = [];
  if (spec.grep !== undefined) {
    const needle = spec.ignoreCase ? spec.grep.toLowerCase() : spec.grep;
    tests.push(spec.ignoreCase ? (t) => t.toLowerCase().includes(needle) : (t) => t.includes(needle));
  }
  if (spec.level !== undefined) {
    const min = spec.level;
    tests.push((t) => atLeast(t, min));
  }
  const regex = spec.regex === undefined ? null : new SafeRegex(spec.regex, spec.ignoreCase);
  if (tests.length === 0 && regex === null) return null;
  const test =
    tests.length === 0
      ? null
      : tests.length === 1
        ? (tests[0] as (text: string) => boolean)
        : (t: string) => tests.every((check) => check(t));
  return { test, regex };
}
