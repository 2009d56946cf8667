import type { ConfigProblem } from '../errors/config-error.js';

/** An admin API refusal: HTTP status, a message for the owner, and the fields at fault. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: Array<Pick<ConfigProblem, 'field' | 'message'>> = [],
  ) {
    super(message);
    this.name = 'AdminError';
  }
}
