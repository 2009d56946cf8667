import { describe, expect, it } from 'vitest';
import { redact, redactString, REDACTED } from '../../server/util/redact.js';

describe('redact', () => {
  it('replaces values of secret-looking keys at any depth', () => {
    expect(
      redact({
        name: 'db',
        env: { MYSQL_ROOT_PASSWORD: 'pw', PUID: '99' },
        Labels: { 'x.api_key': 'k' },
        nested: [{ csrf_token: 'abc', session_cookie: 'c' }],
      }),
    ).toEqual({
      name: 'db',
      env: { MYSQL_ROOT_PASSWORD: REDACTED, PUID: '99' },
      Labels: { 'x.api_key': REDACTED },
      nested: [{ csrf_token: REDACTED, session_cookie: REDACTED }],
    });
  });

  it('redacts KEY=value entries by key', () => {
    expect(redact(['PUID=99', 'DB_PASSWORD=hunter2', 'GITHUB_TOKEN=x', 'PATH=/bin'])).toEqual([
      'PUID=99',
      `DB_PASSWORD=${REDACTED}`,
      `GITHUB_TOKEN=${REDACTED}`,
      'PATH=/bin',
    ]);
  });

  it('redacts values that look like credentials wherever they appear', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    expect(
      redactString(`key AKIAABCDEFGHIJKLMNOP and ghp_${'a'.repeat(36)} and sk-${'b'.repeat(40)} ${pem}`),
    ).toBe(`key ${REDACTED} and ${REDACTED} and ${REDACTED} ${REDACTED}`);
    expect(redactString('postgres://app:s3cret@db:5432/x')).toBe(`postgres://app:${REDACTED}@db:5432/x`);
    expect(redactString(`slack xoxb-${'1'.repeat(12)} and github_pat_${'Z'.repeat(30)}`)).toBe(
      `slack ${REDACTED} and ${REDACTED}`,
    );
    // The whole credential of an Authorization header goes, scheme included.
    expect(redactString(`Authorization: Bearer umcp_${'c'.repeat(43)}`)).toBe(`Authorization: ${REDACTED}`);
  });

  it('keeps ordinary text and numbers', () => {
    expect(redact({ temp: 44, status: 'DISK_OK', comment: 'Seagate Exos', auth_mode: null })).toEqual({
      temp: 44,
      status: 'DISK_OK',
      comment: 'Seagate Exos',
      auth_mode: null,
    });
  });

  it('returns clean values as they are and copies only what it changes', () => {
    const clean = { disks: [{ name: 'disk1', temp: 30 }], host: 'tower' };
    expect(redact(clean)).toBe(clean);
    const mixed = { a: { b: 1 }, env: ['X=1', 'API_KEY=k'] };
    const out = redact(mixed);
    expect(out).toEqual({ a: { b: 1 }, env: ['X=1', `API_KEY=${REDACTED}`] });
    expect(out.a).toBe(mixed.a);
    expect(mixed.env[1]).toBe('API_KEY=k');
  });

  it('keeps key order when it copies, and a JSON "__proto__" key as plain data', () => {
    const parsed = JSON.parse('{"first":1,"token":"t","__proto__":{"polluted":true},"last":2}') as Record<
      string,
      unknown
    >;
    const out = redact(parsed);
    expect(Object.keys(out)).toEqual(['first', 'token', '__proto__', 'last']);
    expect(out.token).toBe(REDACTED);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
  });

  it('hides every scalar of a list under a secret key, and walks an object under one by its own keys', () => {
    expect(
      redact({
        api_keys: ['a', 'b', 3],
        secrets: [],
        auth: { user: 'bob', password: 'p' },
        tokens: [{ id: 1 }],
      }),
    ).toEqual({
      api_keys: [REDACTED, REDACTED, REDACTED],
      secrets: [],
      auth: { user: 'bob', password: REDACTED },
      tokens: [{ id: 1 }],
    });
  });

  it('treats a list as an argument list: the item after a secret flag is hidden, a harmless one kept', () => {
    const args = ['serve', '--password', 'p1', '--port', '80', '-token', 'p2', '--auth', '--verbose', 'x'];
    const out = redact(args);
    expect(out).toEqual([
      'serve',
      '--password',
      REDACTED,
      '--port',
      '80',
      '-token',
      REDACTED,
      '--auth',
      '--verbose',
      'x',
    ]);
    expect(args[2]).toBe('p1');
    const clean = ['sleep', '3600', '--port', '80'];
    expect(redact(clean)).toBe(clean);
  });

  it("knows a command's program from its sibling entrypoint or path (Docker's Cmd, docker_create's command)", () => {
    expect(redact({ Entrypoint: ['/usr/bin/mysql'], Cmd: ['-uroot', '-phunter2'] })).toEqual({
      Entrypoint: ['/usr/bin/mysql'],
      Cmd: ['-uroot', `-p${REDACTED}`],
    });
    expect(redact({ Path: 'redis-cli', Args: ['-a', 'hunter2', 'ping'] })).toEqual({
      Path: 'redis-cli',
      Args: ['-a', REDACTED, 'ping'],
    });
    expect(redact({ entrypoint: ['/init'], command: ['-p8080', '-v'] })).toEqual({
      entrypoint: ['/init'],
      command: ['-p8080', '-v'],
    });
  });

  it('survives hostile nesting', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(() => redact(deep)).not.toThrow();
  });
});
