import type { Confirmation } from '../api/types.js';

/**
 * What the Approvals view lists: confirmations still waiting and not yet expired, oldest first. The
 * sidecar also returns those decided in the last day; one decided elsewhere or expired leaves here.
 */
export function stillPending(list: ReadonlyArray<Confirmation>, nowMs: number): Confirmation[] {
  return list
    .filter((c) => c.status === 'pending' && Date.parse(c.expiresAt) > nowMs)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
