import { createHash } from 'node:crypto';
import { canonicalJson } from '../../safety/audit/canonical-json.js';
import { copyKeysBefore, setOwn } from '../../util/own-props.js';

/**
 * Size bounds for what a call's audit records keep of its arguments and of its error message. Without
 * them a token that may only read could erase the audit trail: every call is recorded twice (intent
 * and outcome), so sixty invalid calls with a 900 KB argument rotated 100 MiB of history away.
 *
 * - A string over VALUE_CAP_BYTES keeps its first KEPT_BYTES plus "… (N bytes)".
 * - Arguments still over ARGS_CAP_BYTES as JSON keep only their top-level keys (the first
 *   SUMMARY_KEYS of them): small scalars as they are, anything else as "… (N bytes of JSON)".
 * - Whenever something was left out, the record also gets `argsSha256` and `argsBytes` of the whole
 *   arguments (canonical JSON, secrets already redacted), so it still proves what was sent.
 *
 * Sizes are UTF-8 bytes. The hash is over the redacted arguments, as an unbounded record would have
 * held them: a hash of the raw ones would let anyone who reads the log test guesses of a secret.
 */
export const VALUE_CAP_BYTES = 1024;
export const KEPT_BYTES = 256;
export const ARGS_CAP_BYTES = 8 * 1024;
export const SUMMARY_KEYS = 32;
/** Longer keys (in the summary) and strings (kept as summary values) are cut to this many characters. */
const SUMMARY_CHARS = 64;
/** An error message keeps this much when it is over VALUE_CAP_BYTES: it is written for a reader. */
const MESSAGE_KEPT_BYTES = VALUE_CAP_BYTES;

/** What a record says about arguments it did not keep whole. */
export interface ArgsDigest {
  /** SHA-256 (hex) of the canonical JSON of the whole redacted arguments. */
  argsSha256: string;
  /** Its size in bytes. */
  argsBytes: number;
}

export interface BoundedArgs {
  args: Record<string, unknown>;
  /** Present only when the arguments were shortened. */
  digest?: ArgsDigest;
}

/**
 * The arguments as an audit record keeps them. Cheap for the common case: small arguments are walked
 * once (no serialisation, no copy) and returned as they are; only arguments that may be too large are
 * serialised to be measured, and only shortened ones are hashed.
 */
export function boundArgs(args: Record<string, unknown>): BoundedArgs {
  const walk: Walk = { upper: 0, shortened: false };
  const capped = capValue(args, walk) as Record<string, unknown>;
  if (!walk.shortened && walk.upper <= ARGS_CAP_BYTES) return { args };
  const cappedBytes = jsonBytes(capped);
  if (!walk.shortened && cappedBytes <= ARGS_CAP_BYTES) return { args };
  const canonical = canonicalJson(args);
  const digest: ArgsDigest = {
    argsSha256: createHash('sha256').update(canonical).digest('hex'),
    argsBytes: Buffer.byteLength(canonical),
  };
  return { args: cappedBytes <= ARGS_CAP_BYTES ? capped : summarise(args), digest };
}

/** An error message as an audit record keeps it: up to VALUE_CAP_BYTES whole, else its first 1 KiB and its size. */
export function boundMessage(message: string): string {
  if (message.length * 3 <= VALUE_CAP_BYTES) return message;
  const bytes = Buffer.byteLength(message);
  return bytes <= VALUE_CAP_BYTES ? message : shortened(message, bytes, MESSAGE_KEPT_BYTES);
}

interface Walk {
  /** An upper bound of the JSON size of what was walked (the kept strings at 6 bytes a character, as if all were \u-escaped). */
  upper: number;
  shortened: boolean;
}

/** Longest JSON of a number (-1.2345678901234567e-308). */
const NUMBER_BYTES = 24;

/** `value` with long strings shortened; copy-on-write, so an untouched value is returned as it is. */
function capValue(value: unknown, walk: Walk): unknown {
  switch (typeof value) {
    case 'string': {
      // At most 3 UTF-8 bytes per UTF-16 unit: short strings need no byte count.
      if (value.length * 3 > VALUE_CAP_BYTES) {
        const bytes = Buffer.byteLength(value);
        if (bytes > VALUE_CAP_BYTES) {
          walk.shortened = true;
          const kept = shortened(value, bytes, KEPT_BYTES);
          walk.upper += 6 * kept.length + 2;
          return kept;
        }
      }
      walk.upper += 6 * value.length + 2;
      return value;
    }
    case 'number':
      walk.upper += NUMBER_BYTES;
      return value;
    case 'boolean':
      walk.upper += 5;
      return value;
    case 'object':
      break;
    default:
      return value;
  }
  walk.upper += 2;
  if (value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      walk.upper += 1;
      const r = capValue(item, walk);
      if (r !== item && !copy) copy = value.slice(0, i);
      if (copy) copy.push(r);
    }
    return copy ?? value;
  }
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  for (const k in source) {
    if (!Object.hasOwn(source, k)) continue;
    const v = source[k];
    walk.upper += 6 * k.length + 4;
    const r = capValue(v, walk);
    if (r !== v && !copy) copy = copyKeysBefore(source, k);
    if (copy) setOwn(copy, k, r);
  }
  return copy ?? value;
}

const encoder = new TextEncoder();

/** The first `keep` bytes of `s` (whole characters only) and its size. */
function shortened(s: string, bytes: number, keep: number): string {
  // encodeInto stops at the end of the buffer (before a character that would not fit whole).
  const { read } = encoder.encodeInto(s, new Uint8Array(keep));
  return `${s.slice(0, read)}… (${bytes} bytes)`;
}

/** The top-level keys with small scalars kept and everything else replaced by its size. */
function summarise(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(args);
  for (let i = 0; i < keys.length; i++) {
    if (i === SUMMARY_KEYS) {
      setOwn(out, '…', `${keys.length - i} more keys`);
      break;
    }
    const k = keys[i] as string;
    const v = args[k];
    const key = k.length > SUMMARY_CHARS ? `${k.slice(0, SUMMARY_CHARS)}…` : k;
    setOwn(out, key, smallScalar(v) ? v : `… (${jsonBytes(v)} bytes of JSON)`);
  }
  return out;
}

const smallScalar = (v: unknown): boolean =>
  v === null ||
  typeof v === 'number' ||
  typeof v === 'boolean' ||
  (typeof v === 'string' && v.length <= SUMMARY_CHARS);

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '');
