import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json.js';

/**
 * SHA-256 of the canonical arguments (keys sorted at every level, so equal arguments always hash the
 * same): what a confirmation is bound to besides principal, tool and target.
 */
export function argsHash(args: unknown): string {
  return createHash('sha256').update(canonicalJson(args)).digest('hex');
}
