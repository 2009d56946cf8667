import { describe, expect, it } from 'vitest';
import { SafeRegex, SafeRegexError } from '../../../server/backends/docker/safe-regex.js';

describe('SafeRegex', () => {
  const cases: Array<[string, string[]]> = [
    ['a.*b.*c', ['abc', 'xaxbxcx', 'acb', '']],
    ['^9{5}$', ['99999', '999999', '9999']],
    ['(foo|bar)+baz', ['foofoobarbaz', 'baz', 'xbarbazx']],
    ['\\berror\\b', ['an error here', 'errors', 'error', 'x_error']],
    ['\\Bor\\B', ['error', 'or']],
    ['[^a-c]x', ['ax', 'dx', 'x']],
    ['colou?r', ['color', 'colour', 'colouur']],
    ['\\d{2,3}-\\w+', ['12-ab', '1-ab', '1234-x']],
    ['(a|ab)(c|bcd)(d*)', ['abcd', 'acd']],
    ['[\\d.]+ms', ['took 1.25ms', 'took ms']],
    ['a{2,}', ['a', 'aa']],
    ['^$', ['', 'a']],
    ['x*', ['', 'abc']],
    ['\\.', ['a.b', 'ab']],
    ['\\s\\S\\D\\W', [' a-!', 'ab12']],
    ['[a\\-z]', ['-', 'b']],
    ['(?:GET|POST) /api/v\\d+/', ['"GET /api/v2/users"', 'PUT /api/v2/']],
    ['(?<code>5\\d\\d) ', ['HTTP 503 ', 'HTTP 404 ']],
    ['\\x41\\u00e9', ['Aé', 'AE']],
    ['caf[éÉ]', ['CAFÉ', 'café']],
    ['straße', ['STRASSE', 'Straße']],
    ['{x', ['a{x']],
    ['a{,2}', ['a{,2}', 'a']],
    ['[]a]', ['a']],
    ['(a*)*b', ['aaab', 'aaa']],
    ['level=(error|warn)', ['ts level=warn msg', 'level=info']],
  ];

  it.each([false, true])('agrees with RegExp on a corpus (ignoreCase %s)', (ignoreCase) => {
    for (const [src, lines] of cases) {
      const re = new RegExp(src, ignoreCase ? 'i' : '');
      const safe = new SafeRegex(src, ignoreCase);
      for (const line of [...lines, ...lines.map((l) => l.toUpperCase()), ...lines.map((l) => l.toLowerCase())]) {
        expect({ src, line, m: safe.test(line) }).toEqual({ src, line, m: re.test(line) });
      }
    }
  });

  it.each([
    ['(a)\\1', /backreferences \(\\1\) are not supported/],
    ['(?<x>a)\\k<x>', /backreferences \(\\k<name>\)/],
    ['foo(?=bar)', /lookahead and lookbehind are not supported/],
    ['(?<!x)y', /lookahead and lookbehind/],
    ['\\p{L}', /Unicode property escapes/],
    ['a**', /a quantifier cannot follow another quantifier/],
    ['*a', /nothing to repeat/],
    ['(ab', /unterminated group/],
    ['ab)', /unmatched "\)"/],
    ['[ab', /unterminated class/],
    ['[z-a]', /range out of order/],
    ['a{5,2}', /numbers out of order/],
    ['a{1001}', /repetition count over 1000/],
    ['(a{1000}){1000}', /too large/],
    ['x'.repeat(201), /at most 200 are allowed/],
    ['\\e', /unsupported escape/],
  ])('rejects %s with a reason', (src, reason) => {
    expect(() => new SafeRegex(src, false)).toThrow(SafeRegexError);
    expect(() => new SafeRegex(src, false)).toThrow(reason);
  });

  it('stays linear on patterns that make a backtracking engine explode', () => {
    // V8 takes ~20 s for /.*.*[xy]/ on one such line; none of these has a literal to pre-check.
    const line = 'a'.repeat(4096);
    const started = performance.now();
    for (const src of ['.*.*.*[xy]', '(a+)+[bc]', '(a|a)*[bc]', '(a|aa)+$[x]', '(\\w+\\s?)*[!]', '(a*)*(b|c)']) {
      const re = new SafeRegex(src, true);
      for (let i = 0; i < 20; i++) expect(re.test(line)).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('still finds matches in long lines, with and without a literal pre-check', () => {
    const line = `${'a'.repeat(4000)} ERROR: disk full`;
    expect(new SafeRegex('(a+)+ error', true).test(line)).toBe(true);
    expect(new SafeRegex('(a+)+ error', false).test(line)).toBe(false);
    expect(new SafeRegex('disk\\s+(full|empty)$', false).test(line)).toBe(true);
  });
});
