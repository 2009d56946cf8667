import { describe, expect, it } from 'vitest';
import { REGEX_MAX_LENGTH, SafeRegex, SafeRegexError } from '../../../server/backends/docker/safe-regex.js';

describe('SafeRegex', () => {
  // Patterns whose meaning is the same in RE2 and JavaScript: the engines must agree on every line.
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
    ['\\x41\\xe9', ['Aé', 'AE']],
    ['caf[éÉ]', ['CAFÉ', 'café']],
    ['straße', ['STRASSE', 'Straße']],
    ['{x', ['a{x']],
    ['a{,2}', ['a{,2}', 'a']],
    ['(a*)*b', ['aaab', 'aaa']],
    ['a+?b', ['aab', 'a']],
    ['level=(error|warn)', ['ts level=warn msg', 'level=info']],
  ];

  it.each([false, true])('agrees with RegExp on a corpus (ignoreCase %s)', (ignoreCase) => {
    for (const [src, lines] of cases) {
      const re = new RegExp(src, ignoreCase ? 'i' : '');
      const safe = new SafeRegex(src, ignoreCase);
      for (const line of [
        ...lines,
        ...lines.map((l) => l.toUpperCase()),
        ...lines.map((l) => l.toLowerCase()),
      ]) {
        expect({ src, line, m: safe.test(line) }).toEqual({ src, line, m: re.test(line) });
      }
    }
  });

  it.each<[string, boolean, string, boolean]>([
    // RE2 syntax JavaScript lacks.
    ['\\x{e9}t\\x{e9}', false, 'été', true],
    ['^\\p{Greek}+$', false, 'λόγος', true],
    ['^\\p{Greek}+$', false, 'logos', false],
    ['\\pN', false, 'x٣', true],
    ['[[:digit:]]{3}', false, 'HTTP 503', true],
    ['[[:digit:]]{3}', false, 'HTTP 50', false],
    ['(?i)warn', false, 'WARNING', true],
    ['\\Q.*+?\\E', false, 'a.*+?b', true],
    ['\\Q.*+?\\E', false, 'anything', false],
    ['(?P<id>\\d+)', false, 'id 7', true],
    // Code points, not UTF-16 code units.
    ['^.$', false, '😀', true],
    ['^[😀-😂]$', false, '😁', true],
    // Unicode case folding, including ranges and letters outside Latin-1.
    ['[à-ÿ]+', true, 'ÉCOLE', true],
    ['σας', true, 'ΣΑΣ', true],
    ['привет', true, 'ПРИВЕТ', true],
    ['привет', false, 'ПРИВЕТ', false],
    // Lazy quantifiers are accepted (they change nothing when only testing for a match).
    ['a.*?z', false, 'abcz', true],
  ])('RE2 syntax and Unicode: %s (ignoreCase %s) on %s → %s', (src, ignoreCase, line, expected) => {
    expect(new SafeRegex(src, ignoreCase).test(line)).toBe(expected);
  });

  it.each([
    // Not runnable in linear time: refused by name, before RE2 sees them.
    ['(a)\\1', /^backreferences \(\\1\) are not supported$/],
    ['(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)\\12', /backreferences \(\\12\) are not supported/],
    ['(?<x>a)\\k<x>', /backreferences \(\\k<name>\)/],
    ['(?P<x>a)(?P=x)', /backreferences \(\(\?P=name\)\)/],
    ['foo(?=bar)', /^lookahead and lookbehind are not supported$/],
    ['foo(?!bar)', /lookahead and lookbehind are not supported/],
    ['(?<=x)y', /lookahead and lookbehind are not supported/],
    ['(?<!x)y', /lookahead and lookbehind/],
    // Syntax errors, in plain words with the position where RE2 gives none.
    ['a(b(c)', /^unterminated group: the "\(" at position 2 has no matching "\)"$/],
    ['ab)', /^unmatched "\)" at position 3$/],
    ['x[ab', /^unterminated class: the "\[" at position 2 has no matching "]"$/],
    ['[z-a]', /^range out of order in class: "z-a"$/],
    ['a{5,2}', /^numbers out of order in "\{5,2\}"$/],
    ['a{1001}', /^repetition count over 1000 in "\{1001\}"$/],
    ['a**', /a quantifier cannot follow another quantifier \("\*\*"\)/],
    ['*a', /^nothing to repeat: "\*" follows nothing/],
    ['x|+', /nothing to repeat/],
    ['abc\\', /^the pattern ends with a lone "\\"$/],
    ['\\e', /^unsupported escape "\\e"$/],
    ['\\u00e9', /unsupported escape "\\u": write a character by its code as \\x\{00e9\}/],
    ['[a-\\d]', /^"\\d" cannot be the end of a range in \[\.\.\.\]$/],
    [
      '[\\b]',
      /^"\\b" matches a position, not a character, so it cannot be used inside \[\.\.\.\] \(for a backspace write \\x08\)$/,
    ],
    ['\\p{Klingon}', /unknown character class "\\p\{Klingon\}"/],
    ['[[:vowel:]]', /unknown character class "\[:vowel:\]"/],
    ['(?#comment)', /unsupported group or flag syntax "\(\?#"/],
    ['(?<a>x)(?<a>y)', /the group name "a" is used twice/],
    // Size limits: the pattern's length, RE2's repetition limits, and our program bound.
    ['(a{1000}){1000}', /too large once its repetitions are expanded/],
    [
      '(.{0,999}){2}[^a]',
      /too large once its repetitions are expanded: "\{2\}" repeats something that already repeats/,
    ],
    [
      '[a-z]{1000}[0-9]{1000}[a-z]{1000}[0-9]{1000}[a-z]{1000}',
      /too large once its repetitions are expanded \(\d+ steps, at most 1000\)/,
    ],
    ['x'.repeat(REGEX_MAX_LENGTH + 1), /^the pattern is 201 characters long; at most 200 are allowed$/],
  ])('rejects %s with a reason', (src, reason) => {
    let caught: unknown;
    try {
      new SafeRegex(src, false);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SafeRegexError);
    const message = (caught as Error).message;
    expect(message).toMatch(reason);
    // A model reads this: no engine class names or RE2's raw "error parsing regexp: …" wording.
    expect(message).not.toMatch(/RE2JS|Exception|error parsing regexp|`/);
  });

  it('refuses the same patterns when case-insensitive', () => {
    expect(() => new SafeRegex('(ab', true)).toThrow(
      'unterminated group: the "(" at position 1 has no matching ")"',
    );
    expect(() => new SafeRegex('ab)', true)).toThrow('unmatched ")" at position 3');
  });

  it('does not mistake quoted or bracketed text for lookaround or backreferences', () => {
    expect(new SafeRegex('\\Q(?=x)\\E', false).test('a (?=x) b')).toBe(true);
    expect(new SafeRegex('[(?=]x', false).test('=x')).toBe(true);
    expect(new SafeRegex('\\\\1', false).test('C:\\1')).toBe(true);
    expect(new SafeRegex('[]a]', false).test(']')).toBe(true); // RE2: a "]" first in a class is literal
    expect(new SafeRegex('(?i:x)\\)', false).test('X)')).toBe(true);
  });

  it('stays linear on patterns that make a backtracking engine explode', () => {
    // V8 takes ~20 s for /.*.*[xy]/ on one such line. The bound is generous: these take well under
    // a millisecond per line; the assertions that matter are the answers.
    const line = 'a'.repeat(4096);
    const started = performance.now();
    for (const src of [
      '.*.*.*[xy]',
      '(a+)+[bc]',
      '(a+)+$x',
      '(a|a)*[bc]',
      '(a|aa)+$[x]',
      '(\\w+\\s?)*[!]',
      '(a*)*(b|c)',
      '(.{0,45}){10}[^a]',
    ]) {
      const re = new SafeRegex(src, true);
      for (let i = 0; i < 20; i++) expect({ src, m: re.test(line) }).toEqual({ src, m: false });
    }
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('still finds matches in long lines', () => {
    const line = `${'a'.repeat(4000)} ERROR: disk full`;
    expect(new SafeRegex('(a+)+ error', true).test(line)).toBe(true);
    expect(new SafeRegex('(a+)+ error', false).test(line)).toBe(false);
    expect(new SafeRegex('disk\\s+(full|empty)$', false).test(line)).toBe(true);
    expect(new SafeRegex('(a+)+$', false).test(`b${'a'.repeat(4096)}`)).toBe(true);
    expect(new SafeRegex('(a+)+$', false).test(`${'a'.repeat(4095)}b`)).toBe(false);
    expect(new SafeRegex('(.{0,45}){10}[^a]', false).test(line)).toBe(true);
    expect(new SafeRegex('^(.{0,45}){10}[^a]', false).test(line)).toBe(false);
  });
});
