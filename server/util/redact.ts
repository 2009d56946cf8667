import { REDACTED } from './redacted.js';
import { isSecretKey } from './secret-keys.js';
import { redactSecretValues, SHAPE_HINT } from './secret-values.js';
import { redactAssignments } from './secret-assignments.js';
import { NEXT_ARG, passwordArg, passwordFlagOf, redactFlags, takesSecretValue } from './secret-args.js';
import type { PasswordFlag } from './secret-args.js';
import { copyKeysBefore, setOwn } from './own-props.js';

/**
 * Secret redaction for everything that leaves the process: audit records, tool results, the pending
 * approvals file and logs. Three rules, each in its own module:
 * - by name (secret-keys.ts): object keys, `KEY=value` env entries and assignments in text
 *   (secret-assignments.ts);
 * - by shape (secret-values.ts): PEM private keys, JWTs, prefixed tokens, URL passwords;
 * - on command lines (secret-args.ts): `--password x`, `--token=x`, `mysql -psecret`, in a string or
 *   across the items of an argument list.
 * Errs towards redacting: a hidden harmless value costs less than a leaked key.
 */
export { REDACTED } from './redacted.js';
export { isSecretKey } from './secret-keys.js';

/**
 * The cheap test that keeps the common clean string (a sensor label, a disk name, a status) away from
 * the rules — redaction runs on every string of every result and argument. A secret by shape starts
 * with a known prefix (SHAPE_HINT); a secret by name needs the name next to `=`, `:` or a flag's `-`,
 * so the case-blind scan for name fragments (secret-keys.ts has the same list, plus the clients with
 * a short password flag) runs only on strings that hold one of those characters.
 */
const NAME_JOINER = /[=:-]/;
const NAME_HINT =
  /pass|pw|secret|token|key|cred|auth|cookie|[cx]srf|jwt|sess|claim|salt|webhook|mysql|mariadb|redis-cli/i;
const mayHoldSecret = (s: string) => SHAPE_HINT.test(s) || (NAME_JOINER.test(s) && NAME_HINT.test(s));

/** The name of a `KEY=value` entry (container env, labels given as a list). */
const ENTRY_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** All rules over a string already known to hold a fragment. */
function redactText(text: string): string {
  let out = redactSecretValues(text);
  if (out.includes('=') || out.includes(':')) out = redactAssignments(out);
  return redactFlags(out);
}

/** A string with every secret in it replaced, by shape or by the name it is given in the text. */
export function redactString(value: string): string {
  return mayHoldSecret(value) ? redactText(value) : value;
}

/** A string on its own: a whole `KEY=value` entry loses its whole value when KEY names a secret. */
function redactScalarString(value: string): string {
  return mayHoldSecret(value) ? redactEntry(value) : value;
}

/** redactScalarString for a string already known to hold a fragment. */
function redactEntry(value: string): string {
  const eq = value.indexOf('=');
  if (eq > 0) {
    const name = value.slice(0, eq);
    if (ENTRY_NAME.test(name) && isSecretKey(name)) return `${name}=${REDACTED}`;
  }
  return redactText(value);
}

/**
 * The value with secrets replaced. Copy-on-write: parts without secrets are returned as they are (the
 * common case — tool results run through here on every call), only the path to a replaced value is
 * copied. Handles `KEY=value` strings (container env entries), where the key decides, and lists of
 * command-line arguments, where a secret flag hides the argument after it.
 * Depth-limited so a hostile nested argument cannot blow the stack.
 */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 32) return REDACTED as T;
  if (typeof value === 'string') return redactScalarString(value) as T;
  if (Array.isArray(value)) return redactList(value, depth) as T;
  if (value && typeof value === 'object') {
    // for-in with an own-property check walks the same keys as Object.entries without allocating a
    // [key, value] pair per property: this runs over every object of every tool result.
    const source = value as Record<string, unknown>;
    let copy: Record<string, unknown> | null = null;
    for (const k in source) {
      if (!Object.hasOwn(source, k)) continue;
      const v = source[k];
      const r = isSecretKey(k)
        ? redactSecretValue(v, depth)
        : Array.isArray(v) && ARGUMENT_KEYS.has(k)
          ? redactList(v, depth + 1, clientOf(source))
          : redact(v, depth + 1);
      if (r !== v && !copy) copy = copyKeysBefore(source, k);
      if (copy) setOwn(copy, k, r);
    }
    return (copy ?? value) as T;
  }
  return value;
}

/**
 * The value of a secret-named key: a scalar goes, and so does every scalar of a list under it
 * (`api_keys: [...]`); an object is walked as usual (its own keys decide: `auth: {user, password}`).
 */
function redactSecretValue(v: unknown, depth: number): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v !== 'object') return REDACTED;
  if (!Array.isArray(v) || v.length === 0) return redact(v, depth + 1);
  return v.every((x) => x !== null && typeof x !== 'object')
    ? v.map(() => REDACTED)
    : v.map((x) => redactSecretValue(x, depth + 1));
}

/**
 * A list, as a possible argument list: an item after a secret flag on its own (`--password`, `x`) is
 * hidden, and after a client with a short password flag (`mysql`) so is that flag's value. Beyond the
 * first items (where a program is looked for) a list of plain names costs one cheap test per item.
 */
function redactList(list: readonly unknown[], depth: number, program: PasswordFlag | null = null): unknown[] {
  if (depth > 32) return [REDACTED];
  let copy: unknown[] | null = null;
  let hideNext = false;
  let client = program;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    let r: unknown;
    if (typeof item !== 'string') {
      hideNext = false;
      r = redact(item, depth + 1);
    } else if (hideNext && !looksLikeFlag(item)) {
      hideNext = false;
      r = REDACTED;
    } else {
      hideNext = false;
      const maybe = mayHoldSecret(item);
      r = maybe ? redactEntry(item) : item;
      if (item.charCodeAt(0) === 45 /* - */) {
        const p = client && passwordArg(item, client);
        if (p === NEXT_ARG) hideNext = true;
        else if (p !== null) r = p;
        else if (maybe && r === item && takesSecretValue(item)) hideNext = true;
      } else if (client === null && i < PROGRAM_WITHIN) {
        client = passwordFlagOf(item);
      }
    }
    if (r !== item && !copy) copy = list.slice(0, i);
    if (copy) copy.push(r);
  }
  return copy ?? (list as unknown[]);
}

/**
 * How far into a list its program is looked for: first, or after a wrapper or two (`/init`, `tini --`,
 * `gosu mysql`). Later items are arguments; a "mysql" among them is a database name.
 */
const PROGRAM_WITHIN = 4;

/**
 * Keys of a command's arguments whose program is a sibling: Docker's `Cmd` after `Entrypoint`, `Args`
 * after `Path`, docker_create's `command` after `entrypoint`. `mysql` there makes `-psecret` in the
 * arguments a password.
 */
const ARGUMENT_KEYS = new Set(['Cmd', 'cmd', 'Command', 'command', 'Args', 'args']);

/** The client with a short password flag that an object's entrypoint or path runs, if any. */
function clientOf(source: Record<string, unknown>): PasswordFlag | null {
  const program = source.Entrypoint ?? source.entrypoint ?? source.Path ?? source.path;
  if (typeof program === 'string') return passwordFlagOf(program);
  if (!Array.isArray(program)) return null;
  for (const item of program) {
    const client = typeof item === 'string' ? passwordFlagOf(item) : null;
    if (client) return client;
  }
  return null;
}

/** `-x` or `--word`: another flag, not the value of the one before. */
const looksLikeFlag = (arg: string) =>
  arg.charCodeAt(0) === 45 && /^--?[A-Za-z]/.test(arg) && !/\s/.test(arg);
