import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../server/safety/audit/canonical-json.js';
import { chainEntry, checkRecord, GENESIS } from '../../../server/safety/audit/hash-chain.js';
import { intent } from './audit-helpers.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'x y' } })).toBe(
      '{"a":{"c":"x y","d":[3,{"x":2,"y":1}]},"b":1}',
    );
  });

  it('orders keys by UTF-16 code units, as Array.prototype.sort does, for small and large objects', () => {
    const keys = ['b', 'B', 'a_', 'a', 'é', 'Z', '10', '9', '_', 'ab', '\u{1F600}', 'ａ'];
    for (const n of [3, keys.length]) {
      const some = keys.slice(0, n);
      const many = [...some, ...Array.from({ length: 30 }, (_, i) => `k${(i * 7) % 30}`)];
      for (const list of [some, many]) {
        const obj = Object.fromEntries(list.map((k) => [k, 1]));
        expect(canonicalJson(obj)).toBe(
          '{' +
            [...list]
              .sort()
              .map((k) => `${JSON.stringify(k)}:1`)
              .join(',') +
            '}',
        );
      }
    }
  });

  it('follows JSON.stringify for the odd values, so a parsed line re-serialises to the same bytes', () => {
    const odd = {
      u: undefined,
      f: () => 1,
      n: NaN,
      i: -Infinity,
      z: -0,
      d: new Date(0),
      arr: [undefined, () => 1, Symbol('s')],
      s: 'é\u2028\ud800"\\\n',
    };
    const once = canonicalJson(odd);
    expect(once).toBe(
      '{"arr":[null,null,null],"d":"1970-01-01T00:00:00.000Z","i":null,"n":null,"s":"é\u2028\\ud800\\"\\\\\\n","z":0}',
    );
    expect(canonicalJson(JSON.parse(once))).toBe(once);
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { deep };
    expect(() => canonicalJson(deep)).toThrow('nests too deeply');
  });
});

describe('hash chain', () => {
  it('hashes prev followed by the canonical record without its hash, and stores hash as the last key', () => {
    const first = chainEntry(intent(), { seq: 0, hash: GENESIS });
    const parsed = JSON.parse(first.line) as Record<string, unknown>;
    expect(Object.keys(parsed).at(-1)).toBe('hash');
    expect(parsed).toMatchObject({ seq: 1, prev: GENESIS, hash: first.hash });
    const { hash, ...rest } = parsed;
    expect(hash).toBe(
      createHash('sha256')
        .update(GENESIS + canonicalJson(rest))
        .digest('hex'),
    );
    const second = chainEntry(intent(), first);
    expect(JSON.parse(second.line)).toMatchObject({ seq: 2, prev: first.hash });
    expect(checkRecord(JSON.parse(second.line))).toMatchObject({ ok: true });
  });

  it('ignores chain fields smuggled into an entry', () => {
    const smuggled = Object.assign(intent(), { seq: 99, prev: 'x', hash: 'y' });
    const line = chainEntry(smuggled, { seq: 4, hash: GENESIS }).line;
    expect(JSON.parse(line)).toMatchObject({ seq: 5, prev: GENESIS });
    expect(line.match(/"hash"/g)).toHaveLength(1);
  });

  it('tells a missing field from a wrong hash', () => {
    const rec = JSON.parse(chainEntry(intent(), { seq: 0, hash: GENESIS }).line) as Record<string, unknown>;
    expect(checkRecord({ ...rec, tool: 'other' })).toMatchObject({ ok: false, reason: 'hash' });
    expect(checkRecord({ ...rec, seq: '1' })).toMatchObject({ ok: false, reason: 'fields' });
    expect(checkRecord(null)).toMatchObject({ ok: false, reason: 'fields' });
  });
});
