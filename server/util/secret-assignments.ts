import { REDACTED } from './redacted.js';
import { isSecretKey } from './secret-keys.js';

/**
 * Secrets named in running text: `DB_PASSWORD=x` in a shell command, `?api_key=x&…` in a URL,
 * `Password=x;` in a connection string, `"token": "x"` in JSON, `password: x` in a log line. The name
 * decides (secret-keys.ts); the value is hidden, the name stays.
 */

/**
 * A name and what joins it to its value: `=`, or `:` plus blanks (so `http://` and `user:pass` are not
 * taken for one), or a quoted JSON key and its colon. The character before the name must not belong
 * to a name (looked at, not consumed: it may end the value before), so `--password=x` is left to the
 * flag rules.
 */
const ASSIGNMENT = /(?<![\w.-])(?:"([A-Za-z_][\w.-]{0,127})"\s*:\s*|([A-Za-z_][\w.-]{0,127})(?:=|:[ \t]+))/g;

/** Characters that end an unquoted value: blanks, separators of shells, URLs, lists and JSON. */
const STOP = new Set([...' \t\r\n;&|,}])"\'`'].map((c) => c.charCodeAt(0)));

/** An HTTP authentication scheme: in `Authorization: Basic dXNlcjpwYXNz` the credential is the word after it. */
const AUTH_SCHEME = /^(?:basic|bearer|digest|token|negotiate)$/i;

/** A value some other redaction already replaced (the VM XML's `passwd="[redacted]"`): left as it is. */
const MARKER = /^(["']?)\[redacted\]\1$/i;

/** Only the punctuation that ends a sentence or clause. */
const PUNCTUATION = /^[.:!?]+$/;

/** Where the unquoted word starting at `i` ends: at the first STOP character. */
function wordEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length && !STOP.has(text.charCodeAt(j))) j++;
  return j;
}

/** Where the value starting at `i` ends: after its closing quote, or at the end of its word. */
function valueEnd(text: string, i: number): number {
  const q = text[i];
  if (q === '"' || q === "'") {
    let j = i + 1;
    while (j < text.length && text[j] !== q) j += q === '"' && text[j] === '\\' ? 2 : 1;
    return Math.min(j + 1, text.length);
  }
  const end = wordEnd(text, i);
  if (text[end] === ' ' && end + 1 < text.length && AUTH_SCHEME.test(text.slice(i, end)))
    return wordEnd(text, end + 1);
  return end;
}

/** The text with the values of secret-named assignments replaced (quotes kept). */
export function redactAssignments(text: string): string {
  let out = '';
  let copied = 0;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    if (!isSecretKey((m[1] ?? m[2]) as string)) continue;
    const start = m.index + m[0].length;
    // Partly hidden by the value rules already (a token after "Authorization: "): the rest of the word goes too.
    // A sentence's closing punctuation after it stays.
    const hidden =
      text.slice(start, start + REDACTED.length).toUpperCase() === REDACTED ? REDACTED.length : 0;
    const end = hidden ? wordEnd(text, start + hidden) : valueEnd(text, start);
    if (end === start + hidden || (hidden && PUNCTUATION.test(text.slice(start + hidden, end)))) continue;
    if (!hidden && MARKER.test(text.slice(start, end))) continue;
    const q = text[start] === '"' || text[start] === "'" ? (text[start] as string) : '';
    out += text.slice(copied, start) + q + REDACTED + q;
    copied = end;
    ASSIGNMENT.lastIndex = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
