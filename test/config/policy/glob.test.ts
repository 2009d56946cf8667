import { describe, expect, it } from 'vitest';
import { codePoints, matchTokens, parseGlob, GlobSyntaxError } from '../../../server/config/policy/glob.js';

const matches = (pattern: string, name: string) =>
  matchTokens(parseGlob(pattern).tokens, codePoints(name.normalize('NFC')));
const problem = (pattern: string) => {
  try {
    parseGlob(pattern);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(GlobSyntaxError);
    return (err as Error).message;
  }
};

describe('glob semantics', () => {
  it.each([
    ['plex*', 'plex', true],
    ['plex*', 'plex-server', true],
    ['plex*', 'my-plex', false],
    ['*plex*', 'my-plex-2', true],
    ['plex?', 'plex2', true],
    ['plex?', 'plex', false],
    ['plex?', 'plex22', false],
    ['plex[12]', 'plex1', true],
    ['plex[12]', 'plex3', false],
    ['db-[a-c]', 'db-b', true],
    ['db-[a-c]', 'db-d', false],
    ['db-[!a-c]', 'db-d', true],
    ['db-[!a-c]', 'db-a', false],
    ['db-[^a-c]', 'db-a', false],
    ['[]x]', ']', true],
    ['[!]]', ']', false],
    ['[a-]', '-', true],
    ['[-a]', '-', true],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['**x', 'yyx', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['Test \\[old\\]', 'Test [old]', true],
  ])('%j vs %j → %s', (pattern, name, expected) => {
    expect(matches(pattern, name)).toBe(expected);
  });

  it('matches the whole name, case-sensitively', () => {
    expect(matches('plex', 'plex')).toBe(true);
    expect(matches('plex', 'Plex')).toBe(false);
    expect(matches('plex', 'plexx')).toBe(false);
    expect(matches('lex', 'plex')).toBe(false);
  });

  it('handles spaces, parentheses and non-ASCII VM names', () => {
    expect(matches('Windows 11 (Gaming)', 'Windows 11 (Gaming)')).toBe(true);
    expect(matches('Windows * (Gaming)', 'Windows 10 (Gaming)')).toBe(true);
    expect(matches('Büro-PC', 'Büro-PC')).toBe(true);
    expect(matches('B?ro-PC', 'Büro-PC')).toBe(true);
    expect(matches('B[äöü]ro-*', 'Büro-PC')).toBe(true);
    expect(matches('Bü?o-PC', 'Büro-PC')).toBe(true);
  });

  it('counts characters, not UTF-16 units: ? matches one emoji', () => {
    expect(matches('vm-?', 'vm-🎮')).toBe(true);
    expect(matches('vm-??', 'vm-🎮')).toBe(false);
    expect(matches('vm-[🎮🕹]', 'vm-🕹')).toBe(true);
  });

  it('normalises pattern and name to NFC, so a decomposed ü matches a composed one', () => {
    const nfd = 'Bu\u0308ro-PC';
    const nfc = 'B\u00fcro-PC';
    expect(matches(nfd, nfc)).toBe(true);
    expect(matches(nfc, nfd)).toBe(true);
    expect(parseGlob(nfd).literal).toBe(nfc);
  });

  it('classifies literals (escapes included) for the fast path', () => {
    expect(parseGlob('plex').literal).toBe('plex');
    expect(parseGlob('Test \\[old\\]').literal).toBe('Test [old]');
    expect(parseGlob('plex*').literal).toBeNull();
    expect(parseGlob('a*bc?def').longestRun).toBe('def');
    expect(parseGlob('ab*cd').prefix).toBe('ab');
    expect(parseGlob('ab*cd').suffix).toBe('cd');
  });

  it('is not exponential on adversarial patterns and names', () => {
    const pattern = '*a'.repeat(60) + 'b';
    const name = 'a'.repeat(5000);
    const t = performance.now();
    expect(matches(pattern, name)).toBe(false);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe('glob errors', () => {
  it.each([
    ['plex[12', 'unclosed "[" in "plex[12"'],
    ['[', 'unclosed "[" in "["'],
    ['[]', 'unclosed "[" in "[]"'],
    ['[!', 'unclosed "[" in "[!"'],
    ['', 'is empty (use "*" to match every name)'],
    ['a/b', 'contains "/", which container and VM names cannot hold, in "a/b"'],
    ['tab\there', 'contains the control character U+0009 in "tab\\there"'],
    ['nul\u0000', 'contains the control character U+0000 in "nul\\u0000"'],
    ['c1\u0085', 'contains the control character U+0085 in "c1\u0085"'],
    ['zero\u200bwidth', 'contains the invisible character U+200B in "zero\u200bwidth"; retype the pattern'],
    [' plex', 'starts or ends with a space in " plex"; names do not, so remove it'],
    ['plex ', 'starts or ends with a space in "plex "; names do not, so remove it'],
    ['db-[z-a]', 'range "z-a" is backwards in "db-[z-a]" (write "a-z")'],
    ['plex\\', 'ends with an unfinished escape "\\" in "plex\\\\"'],
    ['plex]', 'has "]" without an opening "[" in "plex]" (write "\\]" for the character itself)'],
  ])('%j → %s', (pattern, message) => {
    expect(problem(pattern)).toBe(message);
  });

  it('limits length to 255 characters (counted as characters, not bytes)', () => {
    expect(problem('ü'.repeat(255))).toBeNull();
    expect(problem('a'.repeat(256))).toMatch(/^is 256 characters long; at most 255 are allowed/);
  });
});
