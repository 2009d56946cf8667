import { signal } from '@preact/signals';
import type { Problem, Scope, TokenListing, CreatedToken } from '../api/types.js';
import { ApiError } from '../api/client.js';
import { api, messageOf } from './service.js';

export const tokens = signal<TokenListing[] | null>(null);
export const tokensError = signal<string | null>(null);

export async function loadTokens(): Promise<void> {
  try {
    tokens.value = (await api().get<{ tokens: TokenListing[] }>('/tokens')).data.tokens;
    tokensError.value = null;
  } catch (err) {
    tokensError.value = messageOf(err);
  }
}

export interface NewToken {
  name: string;
  scope: Scope;
  expires: string;
}

export type CreateOutcome =
  { ok: true; created: CreatedToken } | { ok: false; message: string; problems: Problem[] };

/** Creates a token; the secret is in the answer only, so the caller shows it once. */
export async function createToken(t: NewToken): Promise<CreateOutcome> {
  try {
    const created = (
      await api().send<CreatedToken>('/tokens', 'POST', { ...t, expires: t.expires.trim() || 'never' })
    ).data;
    void loadTokens();
    return { ok: true, created };
  } catch (err) {
    return { ok: false, message: messageOf(err), problems: err instanceof ApiError ? err.problems : [] };
  }
}

export async function revokeToken(name: string): Promise<string | null> {
  try {
    await api().send(`/tokens/${encodeURIComponent(name)}`, 'DELETE');
    await loadTokens();
    return null;
  } catch (err) {
    return messageOf(err);
  }
}
