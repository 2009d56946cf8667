/**
 * What a confirmation confirms: exactly this principal calling this tool on this resolved target with
 * these arguments. Anything else presenting the confirmation is refused — the Go original's tokens
 * could confirm a different action.
 */
export interface ConfirmationBinding {
  /** Token id (hash prefix) of the caller: bound to the token, not just its label. */
  tokenId: string;
  tool: string;
  /** Resolved target as `kind:id`, or `host` for tools without a target. */
  target: string;
  argsHash: string;
}

/** Names the first field that differs, for the audit record and the refusal message. */
export function bindingMismatch(
  expected: ConfirmationBinding,
  actual: ConfirmationBinding,
): keyof ConfirmationBinding | null {
  for (const key of ['tokenId', 'tool', 'target', 'argsHash'] as const)
    if (expected[key] !== actual[key]) return key;
  return null;
}
