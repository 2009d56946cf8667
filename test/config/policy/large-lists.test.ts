import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  PolicyRulesError,
  type PolicyRules,
} from '../../../server/config/policy/compile-policy.js';
import { codePoints, matchTokens, parseGlob } from '../../../server/config/policy/glob.js';
import { MAX_PATTERNS_PER_LIST } from '../../../server/config/policy/pattern-list.js';

/** Small deterministic PRNG so a failure is reproducible. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz0123456789-_.', 'ü', 'é', '🎮', ' '];

function randomPatterns(n: number, seed: number): string[] {
  const r = rng(seed);
  const pick = () => ALPHABET[Math.floor(r() * ALPHABET.length)] as string;
  const word = (len: number) => Array.from({ length: len }, pick).join('').trim() || 'x';
  return Array.from({ length: n }, (_, i) => {
    switch (i % 7) {
      case 0:
        return word(8); // literal
      case 1:
        return `${word(5)}*`;
      case 2:
        return `*-${word(4)}`;
      case 3:
        return `${word(3)}?${word(3)}[0-9]`;
      case 4:
        return `*${word(3)}*${word(2)}*`;
      case 5:
        return `[a-c]${word(4)}`;
      default:
        return `[!x]?*${word(1)}`;
    }
  });
}

function namesFor(patterns: string[], seed: number): string[] {
  const r = rng(seed);
  const random = Array.from(
    { length: 500 },
    () =>
      Array.from({ length: 4 + Math.floor(r() * 12) }, () => ALPHABET[Math.floor(r() * ALPHABET.length)])
        .join('')
        .trim() || 'n',
  );
  // Names built from patterns, so plenty of checks hit.
  const built = patterns.slice(0, 500).map((p) =>
    p
      .replace(/\[!x\]/g, 'y')
      .replace(/\[a-c\]/g, 'b')
      .replace(/\[0-9\]/g, '7')
      .replace(/\*/g, 'zz')
      .replace(/\?/g, 'q'),
  );
  return [...random, ...built];
}

const rulesWith = (deny: string[]): PolicyRules => ({
  filters: { containers: { allow: [], deny }, vms: { allow: [], deny: [] } },
  protected: { containers: [], vms: [] },
});

describe('10,000-entry lists', () => {
  const patterns = randomPatterns(MAX_PATTERNS_PER_LIST, 42);

  it('compile fast and check in microseconds', () => {
    const t0 = performance.now();
    const policy = compilePolicy(rulesWith(patterns));
    const compileMs = performance.now() - t0;
    const names = namesFor(patterns, 7);
    for (const n of names.slice(0, 50)) policy.checkName('container', n); // warm up
    const t1 = performance.now();
    let denied = 0;
    for (const n of names) if (!policy.checkName('container', n).allowed) denied++;
    const perCheckUs = ((performance.now() - t1) / names.length) * 1000;
    console.log(
      `10,000 patterns: compile ${compileMs.toFixed(1)} ms, check ${perCheckUs.toFixed(2)} µs/name (${denied}/${names.length} denied)`,
    );
    expect(denied).toBeGreaterThan(400);
    expect(compileMs).toBeLessThan(2000);
    expect(perCheckUs).toBeLessThan(2000);
  });

  it('the index gives exactly what a linear scan gives (first match in list order)', () => {
    const policy = compilePolicy(rulesWith(patterns));
    const parsed = patterns.map((p) => parseGlob(p));
    for (const name of namesFor(patterns, 99)) {
      const cps = codePoints(name.normalize('NFC'));
      const first = parsed.findIndex((g) => matchTokens(g.tokens, cps));
      const d = policy.checkName('container', name);
      expect(d.allowed ? null : d.rule, name).toBe(first === -1 ? null : `deny:${patterns[first]}`);
    }
  });

  it('accepts exactly the cap and rejects one more with a message', () => {
    expect(() => compilePolicy(rulesWith(patterns))).not.toThrow();
    const over = [...patterns, 'one-more'];
    try {
      compilePolicy(rulesWith(over));
      expect.unreachable();
    } catch (err) {
      expect((err as PolicyRulesError).problems).toEqual([
        {
          field: 'filters.containers.deny',
          message: 'has 10001 patterns; at most 10000 are allowed per list',
        },
      ]);
    }
  });
});
