import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenAuthenticator } from '../../server/tokens/token-authenticator.js';
import { createToken, revokeToken, listTokens } from '../../server/tokens/token-commands.js';
import { silentLogger } from '../../server/log.js';

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'umcp-auth-'));
  const now = { t: new Date('2026-11-21T12:00:00Z') };
  const auth = new TokenAuthenticator({
    configDir: dir,
    stateDir: join(dir, 'state'),
    now: () => now.t,
    log: silentLogger,
    recheckMs: 0,
  });
  await auth.init();
  return { dir, now, auth };
}

describe('TokenAuthenticator', () => {
  it('accepts a created token with its scope and rejects anything else', async () => {
    const { dir, auth, now } = await setup();
    const { secret } = await createToken(dir, 'claude', 'operate', null, now.t);
    const ok = auth.authenticate(secret);
    expect(ok).toMatchObject({ ok: true, principal: { name: 'claude', scope: 'operate' } });
    expect(auth.authenticate(secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'))).toMatchObject({
      ok: false,
      reason: 'unknown',
    });
    expect(auth.authenticate('')).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('refuses a token once it expires', async () => {
    const { dir, auth, now } = await setup();
    const { secret } = await createToken(dir, 'short', 'read', new Date(now.t.getTime() + 60_000), now.t);
    expect(auth.authenticate(secret).ok).toBe(true);
    now.t = new Date(now.t.getTime() + 60_000);
    expect(auth.authenticate(secret)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('sees revocation and new tokens without a restart', async () => {
    const { dir, auth, now } = await setup();
    const a = await createToken(dir, 'a', 'read', null, now.t);
    expect(auth.authenticate(a.secret).ok).toBe(true);
    await revokeToken(dir, 'a');
    expect(auth.authenticate(a.secret)).toMatchObject({ ok: false, reason: 'unknown' });
    const b = await createToken(dir, 'b', 'admin', null, now.t);
    expect(auth.authenticate(b.secret)).toMatchObject({ ok: true, principal: { scope: 'admin' } });
  });

  it('refuses everyone while tokens.json is corrupt, and recovers when it is fixed', async () => {
    const { dir, auth, now } = await setup();
    const { secret } = await createToken(dir, 'a', 'read', null, now.t);
    const file = join(dir, 'tokens.json');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.replace('"read"', '"root"'));
    const bad = auth.authenticate(secret);
    expect(bad).toMatchObject({ ok: false, reason: 'config' });
    expect(!bad.ok && bad.message).toMatch(/tokens.json: tokens\[0\]\.scope: /);
    await writeFile(file, good + ' ');
    expect(auth.authenticate(secret).ok).toBe(true);
  });

  it('records last-used times in the state directory, not in tokens.json', async () => {
    const { dir, auth, now } = await setup();
    const { secret } = await createToken(dir, 'a', 'read', null, now.t);
    const before = await readFile(join(dir, 'tokens.json'), 'utf8');
    auth.authenticate(secret);
    await auth.flushUsage();
    expect(await readFile(join(dir, 'tokens.json'), 'utf8')).toBe(before);
    expect((await listTokens(dir, join(dir, 'state'), now.t))[0]?.lastUsed).toBe('2026-11-21T12:00:00.000Z');
  });
});
