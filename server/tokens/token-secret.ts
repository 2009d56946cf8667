import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix that makes our tokens recognisable to secret scanners and to the redactor. */
export const TOKEN_PREFIX = 'umcp_';

/** 32 random bytes: high enough entropy that a plain SHA-256 is a safe at-rest hash (no KDF needed). */
export function generateSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares two SHA-256 digests in constant time. */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
