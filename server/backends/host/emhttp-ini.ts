/**
 * Parser for emhttp's state files (`var.ini`, `disks.ini`, `shares.ini`).
 *
 * Why our own parser and not the `ini` package: `ini` treats dots in section names as nesting, so the
 * share `["system.with.periods"]` turns into `system → with → periods`, and it coerces/unescapes values
 * in ways emhttp never intended. Unraid share names may contain dots and any UTF-8
 * (`["system.with.🚀"]`). emhttp writes a tiny format — `key="value"` lines, optionally under
 * `["section"]` headers — so a line parser that skips anything it does not understand is simpler and
 * cannot be tripped by a name.
 *
 * Tolerated: CRLF/CR line ends, a UTF-8 BOM, blank lines, `;`/`#` comments, unquoted headers and values,
 * unknown keys (kept), and a file cut off mid-write (a last line with an unterminated quote is dropped
 * rather than read as a shorter, wrong value). Bad lines are skipped; parsing never throws.
 */

/** Values of one section (or of the top level), in file order. A Map, so a key like `__proto__` is inert. */
export type IniValues = Map<string, string>;

export interface EmhttpIni {
  /** Keys before the first section header (all of var.ini). */
  global: IniValues;
  /** Sections in file order. A repeated header merges into the first occurrence. */
  sections: Map<string, IniValues>;
}

export interface ParseOptions {
  /** Keys dropped while parsing so they never exist in memory as parsed data (e.g. var.ini's csrf_token). */
  omitKeys?: ReadonlySet<string>;
}

const KEY_RE = /^[^\s"'[\]=;#]+$/;

/** Parses emhttp ini text. Never throws; malformed lines are ignored. */
export function parseEmhttpIni(text: string, options: ParseOptions = {}): EmhttpIni {
  const global: IniValues = new Map();
  const sections = new Map<string, IniValues>();
  // `null` = inside a malformed header: its keys are discarded rather than attributed to the previous section.
  let current: IniValues | null = global;
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;

  for (const rawLine of body.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;

    if (line.startsWith('[')) {
      const name = parseHeader(line);
      if (name === null) {
        current = null;
        continue;
      }
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }

    const eq = line.indexOf('=');
    if (eq <= 0 || current === null) continue;
    const key = line.slice(0, eq).trim();
    if (!KEY_RE.test(key) || options.omitKeys?.has(key)) continue;
    const value = parseValue(line.slice(eq + 1).trim());
    if (value === null) continue;
    current.set(key, value);
  }
  return { global, sections };
}

/** `["disk1"]` or `[disk1]` → `disk1`; null for anything malformed (unclosed, empty). */
function parseHeader(line: string): string | null {
  if (!line.endsWith(']') || line.length < 3) return null;
  let inner = line.slice(1, -1).trim();
  if (inner.startsWith('"')) {
    if (inner.length < 2 || !inner.endsWith('"')) return null;
    inner = inner.slice(1, -1);
  }
  return inner === '' ? null : inner;
}

/** `"value"` → `value`; bare values as-is; null for an unterminated quote (a truncated line). */
function parseValue(raw: string): string | null {
  if (!raw.startsWith('"')) return raw;
  if (raw.length < 2 || !raw.endsWith('"')) return null;
  // First and last quote delimit the value: emhttp does not escape inner quotes.
  return raw.slice(1, -1);
}
