/**
 * Canonical JSON for hashing: object keys sorted (by UTF-16 code units, like Array.prototype.sort)
 * at every depth, no whitespace, otherwise exactly JSON.stringify's rules (toJSON, undefined and
 * functions dropped from objects and turned into null in arrays, non-finite numbers as null).
 *
 * Why not JSON.stringify: the verifier re-serialises a parsed line, whose key order we do not want
 * the hash to depend on. Why the same value rules: `canonicalJson(JSON.parse(canonicalJson(x)))`
 * must equal `canonicalJson(x)`, or a record would not verify after being read back.
 */
export function canonicalJson(value: unknown): string {
  const out = serialize(value, 0);
  if (out === undefined) throw new TypeError('audit record is not JSON-serialisable');
  return out;
}

const MAX_DEPTH = 64;
/**
 * `"key":` for keys seen before: records repeat the same few dozen keys millions of times. Bounded
 * in entries and key length, since argument keys come from clients.
 */
const KEY_CACHE = new Map<string, string>();
const KEY_CACHE_MAX = 1024;
const KEY_CACHE_MAX_LENGTH = 64;

function quotedKey(key: string): string {
  let q = KEY_CACHE.get(key);
  if (q === undefined) {
    q = JSON.stringify(key) + ':';
    if (KEY_CACHE.size < KEY_CACHE_MAX && key.length <= KEY_CACHE_MAX_LENGTH) KEY_CACHE.set(key, q);
  }
  return q;
}

// Hot path: every audit record goes through here once (the writer hashes and stores this string).
// Plain string building, no intermediate arrays except the sorted key list.
function serialize(input: unknown, depth: number): string | undefined {
  switch (typeof input) {
    case 'string':
      return JSON.stringify(input);
    case 'number':
      return Number.isFinite(input) ? JSON.stringify(input) : 'null';
    case 'boolean':
      return input ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('audit record holds a BigInt');
    case 'object':
      break;
    default:
      // undefined, functions, symbols: dropped from objects, null in arrays (as JSON.stringify does).
      return undefined;
  }
  if (input === null) return 'null';
  if (depth > MAX_DEPTH) throw new TypeError('audit record nests too deeply');
  if (typeof (input as { toJSON?: unknown }).toJSON === 'function')
    return serialize((input as { toJSON: () => unknown }).toJSON(), depth + 1);
  if (Array.isArray(input)) {
    let out = '[';
    for (let i = 0; i < input.length; i++) out += (i ? ',' : '') + (serialize(input[i], depth + 1) ?? 'null');
    return out + ']';
  }
  const keys = sortKeys(Object.keys(input));
  let out = '{';
  for (const key of keys) {
    const v = serialize((input as Record<string, unknown>)[key], depth + 1);
    if (v === undefined) continue;
    out += (out.length > 1 ? ',' : '') + quotedKey(key) + v;
  }
  return out + '}';
}

/**
 * Sorts keys in place, in the order Array.prototype.sort gives strings (UTF-16 code units). Records
 * have a dozen keys or fewer, where an insertion sort allocates nothing, while Array.prototype.sort
 * copies into a work array on every call; larger objects still use it.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 24) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
