import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ARGS_CAP_BYTES,
  KEPT_BYTES,
  SUMMARY_KEYS,
  VALUE_CAP_BYTES,
  boundArgs,
  boundMessage,
} from '../../../server/mcp/pipeline/audit-bounds.js';
import { canonicalJson } from '../../../server/safety/audit/canonical-json.js';

const sha256 = (args: unknown) => createHash('sha256').update(canonicalJson(args)).digest('hex');
const bytesOf = (args: unknown) => Buffer.byteLength(canonicalJson(args));
const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('boundArgs: arguments that fit', () => {
  it('returns small arguments as the very same object, with no digest', () => {
    const args = { id: 'plex', timeout: 10, force: false, env: ['A=1', 'B=2'], labels: { a: 'b' }, x: null };
    const bounded = boundArgs(args);
    expect(bounded.args).toBe(args);
    expect(bounded).not.toHaveProperty('digest');
  });

  it('keeps a string of exactly VALUE_CAP_BYTES whole, also when it is made of multi-byte characters', () => {
    const ascii = { s: 'a'.repeat(VALUE_CAP_BYTES) };
    const euro = { s: '€'.repeat(VALUE_CAP_BYTES / 4) }; // 256 × 3 bytes
    expect(boundArgs(ascii).args).toBe(ascii);
    expect(boundArgs(euro).args).toBe(euro);
  });

  it('keeps several values near the cap whole while the whole stays under ARGS_CAP_BYTES', () => {
    const args = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
    expect(jsonBytes(args)).toBeLessThan(ARGS_CAP_BYTES);
    const bounded = boundArgs(args);
    expect(bounded.args).toBe(args);
    expect(bounded.digest).toBeUndefined();
  });
});

describe('boundArgs: a value over the cap', () => {
  it('keeps the first KEPT_BYTES and the size, and adds the hash and size of the whole arguments', () => {
    const big = 'A'.repeat(900_000);
    const args = { message: big, id: 'plex' };
    const bounded = boundArgs(args);
    expect(bounded.args).toEqual({ message: `${'A'.repeat(KEPT_BYTES)}… (900000 bytes)`, id: 'plex' });
    expect(bounded.digest).toEqual({ argsSha256: sha256(args), argsBytes: bytesOf(args) });
    expect(bounded.digest?.argsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(args.message).toBe(big); // the caller's object is never changed
  });

  it('cuts between characters, never inside one', () => {
    const args = { s: '€'.repeat(1000) }; // 3000 bytes; 256 bytes hold 85 whole euro signs
    expect(boundArgs(args).args).toEqual({ s: `${'€'.repeat(85)}… (3000 bytes)` });
    const emoji = { s: '😀'.repeat(300) }; // 4 bytes each, 2 UTF-16 units
    expect(boundArgs(emoji).args).toEqual({ s: `${'😀'.repeat(64)}… (1200 bytes)` });
  });

  it('shortens a string deep inside, copying only the path to it', () => {
    const untouched = { keep: ['a', 'b'] };
    const args = { spec: { env: ['A=1', 'x'.repeat(5000)], other: untouched }, id: 'web' };
    const bounded = boundArgs(args).args as typeof args;
    expect(bounded).toEqual({
      spec: { env: ['A=1', `${'x'.repeat(KEPT_BYTES)}… (5000 bytes)`], other: untouched },
      id: 'web',
    });
    expect(bounded.spec.other).toBe(untouched);
    expect(args.spec.env[1]).toHaveLength(5000);
  });

  it('keeps a "__proto__" key as a property', () => {
    const args = JSON.parse(`{"__proto__": {"a": "${'y'.repeat(2000)}"}, "b": 1}`) as Record<string, unknown>;
    const bounded = boundArgs(args).args;
    expect(Object.getPrototypeOf(bounded)).toBe(Object.prototype);
    expect(Object.keys(bounded)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(bounded)).toBe(
      `{"__proto__":{"a":"${'y'.repeat(KEPT_BYTES)}… (2000 bytes)"},"b":1}`,
    );
  });
});

describe('boundArgs: arguments over ARGS_CAP_BYTES once their values are capped', () => {
  it('keeps the top-level keys, small scalars as they are, the rest as their size', () => {
    const list = Array.from({ length: 5000 }, (_, i) => i);
    const args = { id: 'plex', force: true, timeout: 30, none: null, list, nested: { a: 'b' } };
    const bounded = boundArgs(args);
    expect(bounded.args).toEqual({
      id: 'plex',
      force: true,
      timeout: 30,
      none: null,
      list: `… (${jsonBytes(list)} bytes of JSON)`,
      nested: '… (9 bytes of JSON)',
    });
    expect(bounded.digest).toEqual({ argsSha256: sha256(args), argsBytes: bytesOf(args) });
  });

  it('measures JSON escaping: short strings of control characters that add up past the cap', () => {
    const ctl = '\u0001'.repeat(300); // 300 characters, 1,800 bytes of JSON
    const args = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, ctl]));
    const bounded = boundArgs(args);
    expect(bounded.digest?.argsBytes).toBeGreaterThan(ARGS_CAP_BYTES);
    expect(bounded.args).toEqual(
      Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, '… (1802 bytes of JSON)'])),
    );
  });

  it('lists at most SUMMARY_KEYS keys, and how many more there were; long keys are cut', () => {
    const longKey = 'K'.repeat(500);
    const args: Record<string, unknown> = { [longKey]: 'v'.repeat(2000) };
    for (let i = 0; i < 100; i++) args[`key${i}`] = 'x'.repeat(900);
    const bounded = boundArgs(args).args;
    const keys = Object.keys(bounded);
    expect(keys).toHaveLength(SUMMARY_KEYS + 1);
    expect(keys[0]).toBe(`${'K'.repeat(64)}…`);
    expect(bounded[`${'K'.repeat(64)}…`]).toBe('… (2002 bytes of JSON)');
    expect(bounded.key0).toBe('… (902 bytes of JSON)');
    expect(bounded['…']).toBe(`${101 - SUMMARY_KEYS} more keys`);
    expect(jsonBytes(bounded)).toBeLessThan(ARGS_CAP_BYTES);
  });

  it('bounds the record whatever the shape: a wide object, a long array, a huge key', () => {
    const shapes: Array<Record<string, unknown>> = [
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
      { list: Array.from({ length: 100_000 }, () => 'abc') },
      { ['k'.repeat(900_000)]: 1 },
      {
        deep: {
          deeper: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'x'.repeat(100)])),
        },
      },
    ];
    for (const args of shapes) {
      const bounded = boundArgs(args);
      expect(jsonBytes(bounded.args)).toBeLessThan(ARGS_CAP_BYTES);
      expect(bounded.digest?.argsSha256).toBe(sha256(args));
    }
  });
});

describe('boundMessage', () => {
  it('keeps a message up to VALUE_CAP_BYTES whole', () => {
    const m = `Invalid arguments for test_echo: ${'m'.repeat(900)}`;
    expect(boundMessage(m)).toBe(m);
    expect(boundMessage('é'.repeat(VALUE_CAP_BYTES / 2))).toBe('é'.repeat(VALUE_CAP_BYTES / 2));
  });

  it('keeps the first KiB of a longer one and its size', () => {
    expect(boundMessage('e'.repeat(50_000))).toBe(`${'e'.repeat(VALUE_CAP_BYTES)}… (50000 bytes)`);
  });
});
