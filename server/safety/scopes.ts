/**
 * Token scopes. They are ordered: a token with `admin` may do what `operate` and `read` may.
 * Keeping them ordered (not a free set) means a token can never hold "admin but not read".
 */
export const SCOPES = ['read', 'operate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 0, operate: 1, admin: 2 };

/** True when a token holding `held` may call something that needs `needed`. */
export function scopeAllows(held: Scope, needed: Scope): boolean {
  return RANK[held] >= RANK[needed];
}
