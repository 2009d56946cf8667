/**
 * Copy-on-write helpers for walks over parsed JSON (redaction, audit bounds): they build a new
 * object only once a value changes, and keep a JSON "__proto__" key as data, never a prototype.
 */

/** A plain object with the own enumerable properties of `source` that come before `stop`. */
export function copyKeysBefore(source: Record<string, unknown>, stop: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const k in source) {
    if (k === stop) break;
    if (Object.hasOwn(source, k)) setOwn(copy, k, source[k]);
  }
  return copy;
}

/** `target[key] = value`, except that a JSON "__proto__" key stays a property instead of setting the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
