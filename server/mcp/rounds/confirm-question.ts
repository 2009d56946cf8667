import type { ElicitAnswer } from '../../safety/confirm/confirm-call.js';

/** The form the user is shown: one box to tick. Both protocol eras ask with it. */
export const CONFIRM_SCHEMA = {
  type: 'object' as const,
  properties: {
    confirm: {
      type: 'boolean' as const,
      title: 'Allow this action',
      description: 'Tick to let the assistant go ahead',
    },
  },
  required: ['confirm'],
};

/** The key of the question in an input_required result (2026-07-28) and of its answer. */
export const CONFIRM_KEY = 'confirm';

/** A client's answer to the form: anything but an accepted, ticked box is a decline or a cancel. */
export function toElicitAnswer(answer: unknown): ElicitAnswer {
  if (!answer || typeof answer !== 'object') return 'cancel';
  const { action, content } = answer as { action?: unknown; content?: { confirm?: unknown } };
  if (action === 'accept') return content?.confirm === true ? 'accept' : 'decline';
  return action === 'decline' ? 'decline' : 'cancel';
}
