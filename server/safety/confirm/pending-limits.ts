/**
 * How many approvals may wait for the owner at once. Without a bound one token can queue thousands
 * of requests (each one kept, listed in the WebGUI and written to the state directory), burying the
 * few the owner should look at. Twenty per token is far more than an agent needs while the owner is
 * away; two hundred in total keeps the list readable and the journal small. Constants rather than
 * settings: they guard the sidecar itself, and no owner needs more pending requests than this.
 */
export const MAX_PENDING_PER_TOKEN = 20;
export const MAX_PENDING_TOTAL = 200;

/** A new approval request was refused because too many are already waiting. */
export class TooManyPending extends Error {
  override readonly name = 'TooManyPending';
  constructor(
    /** Which bound was reached: this token's, or all tokens' together. */
    readonly scope: 'token' | 'total',
    readonly waiting: number,
    readonly limit: number,
    /** When the first of the waiting requests expires (a slot frees up then at the latest). */
    readonly nextExpiry: string | null,
  ) {
    super(
      `${waiting} approvals ${scope === 'token' ? 'from this token ' : ''}are already waiting for the owner (limit ${limit}${scope === 'token' ? ' per token' : ' in total'})`,
    );
  }
}

/** Null when one more request from `tokenId` fits, else the bound it would cross. */
export function pendingLimitReached(
  pending: ReadonlyArray<{ expiresAt: string; binding: { tokenId: string } }>,
  tokenId: string,
): TooManyPending | null {
  const mine = pending.filter((e) => e.binding.tokenId === tokenId);
  const [scope, list, limit] =
    mine.length >= MAX_PENDING_PER_TOKEN
      ? (['token', mine, MAX_PENDING_PER_TOKEN] as const)
      : pending.length >= MAX_PENDING_TOTAL
        ? (['total', pending, MAX_PENDING_TOTAL] as const)
        : [null, [], 0];
  if (scope === null) return null;
  const next = list.map((e) => e.expiresAt).sort()[0] ?? null;
  return new TooManyPending(scope, list.length, limit, next);
}
