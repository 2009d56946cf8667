import { signal } from '@preact/signals';
import type { Confirmation } from '../api/types.js';
import { api, messageOf } from './service.js';
import { status } from './status.js';
import { stillPending } from './pending-list.js';

/** Pending confirmations, oldest first; refreshed every second while the Approvals view is visible. */
export const pending = signal<Confirmation[] | null>(null);
export const approvalsError = signal<string | null>(null);
/** The clock the expiry countdowns count against, ticked with each poll. */
export const now = signal(Date.now());
/** A decision just made here, shown until the next one (`Approved docker_stop on plex`). */
export const lastDecision = signal<string | null>(null);

export async function loadPending(): Promise<void> {
  try {
    const list = (await api().get<{ confirmations: Confirmation[] }>('/confirmations')).data.confirmations;
    now.value = Date.now();
    pending.value = stillPending(list, now.value);
    approvalsError.value = null;
    // Keep the tab's count in step with the list rather than the slower status poll.
    const s = status.value;
    if (s && s.pendingConfirmations !== pending.value.length)
      status.value = { ...s, pendingConfirmations: pending.value.length };
  } catch (err) {
    approvalsError.value = messageOf(err);
  }
}

/** Approves or denies; answers the error to show, or null. */
export async function decide(
  c: Confirmation,
  decision: 'approve' | 'deny',
  reason?: string,
): Promise<string | null> {
  try {
    const body = decision === 'deny' && reason?.trim() ? { reason: reason.trim() } : {};
    await api().send(`/confirmations/${encodeURIComponent(c.id)}/${decision}`, 'POST', body);
    const target = c.target ? ` on ${c.target.name}` : '';
    lastDecision.value = `${decision === 'approve' ? 'Approved' : 'Denied'} ${c.tool}${target}.`;
    await loadPending();
    return null;
  } catch (err) {
    await loadPending();
    return messageOf(err);
  }
}
