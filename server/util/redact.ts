/**
 * Secret redaction for everything that leaves the process: audit records, tool results and logs.
 * Keys that name a secret have their value replaced; values that look like credentials are replaced
 * wherever they appear. Errs towards redacting: a hidden harmless value costs less than a leaked key.
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY = /PASS|PASSWD|PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|COOKIE|CSRF/i;

const SECRET_VALUES: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-[A-Za-z0-9_-]{16,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\bumcp_[A-Za-z0-9_-]{20,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Removes `user:pass@` from URLs, keeping the user name for context. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]+):([^\s@/]+)@/gi;

/**
 * Every secret pattern contains one of these fragments. One test of this on the common clean string
 * (a sensor label, a disk name) replaces nine pattern scans — redaction runs on every result string.
 */
const MAYBE_SECRET = /PRIVATE KEY|AKIA|gh[pousr]_|github_pat_|sk-|xox[abposr]-|umcp_|bearer|:\/\/[^\s]*@/i;

export function redactString(value: string): string {
  if (!MAYBE_SECRET.test(value)) return value;
  let out = value.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`);
  for (const re of SECRET_VALUES) out = out.replace(re, REDACTED);
  return out;
}

/** True for a key such as DB_PASSWORD, api_key or X-Auth-Token. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * The value with secrets replaced. Copy-on-write: parts without secrets are returned as they are (the
 * common case — tool results run through here on every call), only the path to a replaced value is
 * copied. Also handles `KEY=value` strings (container env entries), where the key decides.
 * Depth-limited so a hostile nested argument cannot blow the stack.
 */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 32) return REDACTED as T;
  if (typeof value === 'string') {
    const eq = value.indexOf('=');
    if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(value.slice(0, eq)) && isSecretKey(value.slice(0, eq))) {
      return `${value.slice(0, eq)}=${REDACTED}` as T;
    }
    return redactString(value) as T;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const r = redact(item, depth + 1);
      if (r !== item && !copy) copy = value.slice(0, i);
      if (copy) copy.push(r);
    }
    return (copy ?? value) as T;
  }
  if (value && typeof value === 'object') {
    // for-in with an own-property check walks the same keys as Object.entries without allocating a
    // [key, value] pair per property: this runs over every object of every tool result.
    const source = value as Record<string, unknown>;
    let copy: Record<string, unknown> | null = null;
    for (const k in source) {
      if (!Object.hasOwn(source, k)) continue;
      const v = source[k];
      const r = isSecretKey(k) && v !== null && typeof v !== 'object' ? REDACTED : redact(v, depth + 1);
      if (r !== v && !copy) copy = copyKeysBefore(source, k);
      if (copy) setOwn(copy, k, r);
    }
    return (copy ?? value) as T;
  }
  return value;
}

/** A plain object with the own enumerable properties of `source` that come before `stop`. */
function copyKeysBefore(source: Record<string, unknown>, stop: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const k in source) {
    if (k === stop) break;
    if (Object.hasOwn(source, k)) setOwn(copy, k, source[k]);
  }
  return copy;
}

/** `target[key] = value`, except that a JSON "__proto__" key stays a property instead of setting the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
