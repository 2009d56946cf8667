import type { IniValues } from './emhttp-ini.js';

/**
 * Typed reads of emhttp values. emhttp writes "" for unset, "*" for "unknown" (e.g. the temperature of a
 * spun-down disk) and "-" for "not applicable"; all of those become null here, never a magic number, so
 * the tools can say "unknown" instead of "0".
 */

const NUMBER_RE = /^[-+]?\d+(\.\d+)?$/;

/** A decimal number, or null for "", "*", "-" and anything non-numeric. */
export function parseNumber(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const s = raw.trim();
  if (!NUMBER_RE.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** emhttp sizes are 1 KiB units; bytes = KiB × 1024 exactly (all real sizes stay below 2^53). */
export function kibToBytes(raw: string | undefined): number | null {
  const n = parseNumber(raw);
  return n === null ? null : n * 1024;
}

/** A non-empty string, or null for "" / absent. */
export function text(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const s = raw.trim();
  return s === '' ? null : s;
}

/** "yes"/"1"/"true" → true, "no"/"0"/"false" → false, anything else → null. */
export function parseYesNo(raw: string | undefined): boolean | null {
  const s = raw?.trim().toLowerCase();
  if (s === 'yes' || s === '1' || s === 'true') return true;
  if (s === 'no' || s === '0' || s === 'false') return false;
  return null;
}

/** Convenience accessors bound to one section. */
export function reader(values: IniValues) {
  return {
    num: (key: string) => parseNumber(values.get(key)),
    bytes: (key: string) => kibToBytes(values.get(key)),
    str: (key: string) => text(values.get(key)),
    bool: (key: string) => parseYesNo(values.get(key)),
    raw: (key: string) => values.get(key),
  };
}

/** Unix seconds → ISO 8601, or null for 0/unknown. */
export function unixToIso(seconds: number | null): string | null {
  if (seconds === null || seconds <= 0) return null;
  return new Date(seconds * 1000).toISOString();
}
