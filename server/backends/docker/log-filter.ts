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

/** The line predicate for a filter spec, or null when nothing filters (every line matches). All given filters must hold. */
export function buildLineFilter(spec: LineFilterSpec): ((text: string) => boolean) | null {
  const tests: Array<(text: string) => boolean> = [];
  if (spec.grep !== undefined) {
    const needle = spec.ignoreCase ? spec.grep.toLowerCase() : spec.grep;
    tests.push(spec.ignoreCase ? (t) => t.toLowerCase().includes(needle) : (t) => t.includes(needle));
  }
  if (spec.regex !== undefined) {
    const re = new SafeRegex(spec.regex, spec.ignoreCase);
    tests.push((t) => re.test(t));
  }
  if (spec.level !== undefined) {
    const min = spec.level;
    tests.push((t) => atLeast(t, min));
  }
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0] as (text: string) => boolean;
  return (t) => tests.every((test) => test(t));
}
