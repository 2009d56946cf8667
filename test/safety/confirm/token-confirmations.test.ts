import { describe, expect, it } from 'vitest';
import { TokenConfirmations } from '../../../server/safety/confirm/token-confirmations.js';
import type { ConfirmationBinding } from '../../../server/safety/confirm/binding.js';

const binding: ConfirmationBinding = {
  tokenId: 'tok1',
  tool: 'docker_stop',
  target: 'container:abc',
  argsHash: 'h1',
};

describe('TokenConfirmations', () => {
  it('accepts its token once for exactly the bound action, then calls it a replay', () => {
    const store = new TokenConfirmations(() => 0);
    const { token } = store.issue(binding, 300_000);
    expect(token).toMatch(/^ct_[A-Za-z0-9_-]{24}$/);
    expect(store.redeem(token, binding)).toEqual({ ok: true });
    expect(store.redeem(token, binding)).toEqual({ ok: false, reason: 'replayed' });
  });

  it.each([
    ['tokenId', { ...binding, tokenId: 'tok2' }],
    ['tool', { ...binding, tool: 'docker_remove' }],
    ['target', { ...binding, target: 'container:def' }],
    ['argsHash', { ...binding, argsHash: 'h2' }],
  ] as const)('refuses use with a different %s and voids the token', (field, other) => {
    const store = new TokenConfirmations(() => 0);
    const { token } = store.issue(binding, 300_000);
    expect(store.redeem(token, other)).toEqual({ ok: false, reason: 'mismatch', field });
    expect(store.redeem(token, binding)).toEqual({ ok: false, reason: 'replayed' });
  });

  it('refuses an expired token, then forgets it (reaped without a timer)', () => {
    const clock = { t: 0 };
    const store = new TokenConfirmations(() => clock.t);
    const { token } = store.issue(binding, 1000);
    const late = store.issue(binding, 1000).token;
    clock.t = 1000;
    expect(store.redeem(token, binding)).toEqual({ ok: false, reason: 'expired' });
    clock.t = 62_000;
    store.issue(binding, 1000);
    expect(store.size).toBe(1);
    expect(store.redeem(late, binding)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('stays bounded under a flood of first calls', () => {
    const store = new TokenConfirmations(() => 0);
    for (let i = 0; i < 10_050; i++) store.issue(binding, 300_000);
    expect(store.size).toBe(10_000);
  });
});
