import { scopeAllows, type Scope, type Toolset } from '../vocabulary.js';

/** What selection reads of a tool. */
export interface Selectable {
  name: string;
  toolset: Toolset;
  scope: Scope;
  annotations: { readOnlyHint: boolean };
}

/** What decides which tools a session sees: the settings plus the token's scope. */
export interface SelectionPolicy {
  toolsets: ReadonlyArray<Toolset>;
  readOnly: boolean;
  scope: Scope;
}

/**
 * Why a session may not use a tool, in words a model can pass on to the user, or null when it may.
 * Read-only mode is checked first and always wins, whatever the token's scope.
 */
export function whyUnavailable(
  tool: Selectable,
  policy: SelectionPolicy,
): { rule: string; message: string } | null {
  if (policy.readOnly && !tool.annotations.readOnlyHint) {
    return {
      rule: 'read_only',
      message: `"${tool.name}" changes the server and unraid-mcp is in read-only mode. Ask the owner to turn read-only mode off in Settings → unraid-mcp if this action is wanted.`,
    };
  }
  if (!policy.toolsets.includes(tool.toolset)) {
    return {
      rule: 'toolset_disabled',
      message: `The "${tool.toolset}" tools are switched off in Settings → unraid-mcp, so "${tool.name}" is not available.`,
    };
  }
  if (!scopeAllows(policy.scope, tool.scope)) {
    return {
      rule: 'scope',
      message: `"${tool.name}" needs a token with the "${tool.scope}" scope; this token has "${policy.scope}". Ask the owner for a token with that scope.`,
    };
  }
  return null;
}

/** The tools a session may list and call. Pure, so every rule is testable without a server. */
export function selectTools<T extends Selectable>(all: ReadonlyArray<T>, policy: SelectionPolicy): T[] {
  return all.filter((t) => whyUnavailable(t, policy) === null);
}

/** A value that changes exactly when the selection inputs change: a session is told to re-list its tools then. */
export function toolListKey(policy: SelectionPolicy): string {
  return `${policy.scope}|${policy.readOnly ? 'ro' : 'rw'}|${policy.toolsets.join(',')}`;
}
