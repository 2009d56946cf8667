import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEmhttpIni } from '../../../server/backends/host/emhttp-ini.js';
import {
  kibToBytes,
  parseNumber,
  parseYesNo,
  text,
  unixToIso,
} from '../../../server/backends/host/ini-values.js';
import { emhttpDir } from './testdata.js';

const section = (src: string, name: string) =>
  Object.fromEntries(parseEmhttpIni(src).sections.get(name) ?? []);

describe('parseEmhttpIni', () => {
  it('reads quoted key="value" lines at the top level', () => {
    const ini = parseEmhttpIni('version="7.1.4"\nNAME="Tower"\n');
    expect(Object.fromEntries(ini.global)).toEqual({ version: '7.1.4', NAME: 'Tower' });
    expect(ini.sections.size).toBe(0);
  });

  it('keeps dots and emoji in quoted section names (the reason we do not use the ini package)', () => {
    const ini = parseEmhttpIni('["system.with.periods"]\nname="a"\n["system.with.🚀"]\nname="b"\n');
    expect([...ini.sections.keys()]).toEqual(['system.with.periods', 'system.with.🚀']);
    expect(section('["system.with.🚀"]\ncomment="data with 🚀"', 'system.with.🚀')).toEqual({
      comment: 'data with 🚀',
    });
  });

  it('accepts unquoted section headers and unquoted values', () => {
    expect(section('[disk1]\nname=disk1\ntemp=30\n', 'disk1')).toEqual({ name: 'disk1', temp: '30' });
  });

  it('tolerates CRLF, lone CR, a BOM, blank lines and surrounding whitespace', () => {
    const ini = parseEmhttpIni('\uFEFFa="1"\r\n\r\n  b = "2"  \rc="3"\n\n');
    expect(Object.fromEntries(ini.global)).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('skips ; and # comments', () => {
    const ini = parseEmhttpIni('; comment\n# another\na="1"\n');
    expect(Object.fromEntries(ini.global)).toEqual({ a: '1' });
  });

  it('keeps empty values and inner quotes (emhttp does not escape them)', () => {
    const ini = parseEmhttpIni('a=""\nb="say "hi""\nc="x=y"\n');
    expect(Object.fromEntries(ini.global)).toEqual({ a: '', b: 'say "hi"', c: 'x=y' });
  });

  it('keeps unknown keys', () => {
    expect(section('["disk1"]\nsomeFutureKey="42"\n', 'disk1')).toEqual({ someFutureKey: '42' });
  });

  it('drops a truncated last line instead of reading a shortened value', () => {
    const ini = parseEmhttpIni('["disk1"]\nname="disk1"\ntemp="3');
    expect(Object.fromEntries(ini.sections.get('disk1') ?? [])).toEqual({ name: 'disk1' });
  });

  it('ignores a truncated header and does not attribute its keys to the previous section', () => {
    const ini = parseEmhttpIni('["disk1"]\nname="disk1"\n["disk2\nname="disk2"\n');
    expect([...ini.sections.keys()]).toEqual(['disk1']);
    expect(ini.sections.get('disk1')?.get('name')).toBe('disk1');
  });

  it('skips bad lines without throwing: no "=", empty key, key with spaces, empty header', () => {
    const ini = parseEmhttpIni('garbage\n="x"\nbad key="1"\n[]\n[""]\nok="yes"\n');
    // `ok` follows a malformed header, so it is discarded rather than put in the global scope.
    expect(Object.fromEntries(ini.global)).toEqual({});
    expect(ini.sections.size).toBe(0);
    expect(() => parseEmhttpIni('\u0000\u0001["x\n=\n[\n]')).not.toThrow();
  });

  it('omits keys listed in omitKeys at parse time', () => {
    const ini = parseEmhttpIni('NAME="Tower"\ncsrf_token="ABCDEF"\n', { omitKeys: new Set(['csrf_token']) });
    expect(ini.global.has('csrf_token')).toBe(false);
    expect(ini.global.get('NAME')).toBe('Tower');
  });

  it('merges a repeated section into the first occurrence and lets later values win', () => {
    const ini = parseEmhttpIni('["a"]\nx="1"\ny="1"\n["b"]\n["a"]\ny="2"\n');
    expect([...ini.sections.keys()]).toEqual(['a', 'b']);
    expect(Object.fromEntries(ini.sections.get('a') ?? [])).toEqual({ x: '1', y: '2' });
  });

  it('treats __proto__ as an ordinary key', () => {
    const ini = parseEmhttpIni('__proto__="x"\n');
    expect(ini.global.get('__proto__')).toBe('x');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('parses the real 6.11 shares.ini (no trailing newline) with every share', async () => {
    const ini = parseEmhttpIni(await readFile(join(emhttpDir('unraid-6.11'), 'shares.ini'), 'utf8'));
    expect([...ini.sections.keys()]).toEqual([
      'appdata',
      'domains',
      'isos',
      'system',
      'system.with.periods',
      'system.with.🚀',
    ]);
    expect(ini.sections.get('system.with.🚀')?.get('luksStatus')).toBe('0');
  });

  it('parses the real 6.11 disks.ini into 27 sections', async () => {
    const ini = parseEmhttpIni(await readFile(join(emhttpDir('unraid-6.11'), 'disks.ini'), 'utf8'));
    expect(ini.sections.size).toBe(27);
    expect(ini.sections.get('flash')?.get('fsUsed')).toBe('831372');
  });
});

describe('value helpers', () => {
  it('parseNumber returns null for "", "*", "-", non-numeric and absent', () => {
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('*')).toBeNull();
    expect(parseNumber('-')).toBeNull();
    expect(parseNumber('12abc')).toBeNull();
    expect(parseNumber('0x10')).toBeNull();
    expect(parseNumber(undefined)).toBeNull();
    expect(parseNumber('42')).toBe(42);
    expect(parseNumber('-4')).toBe(-4);
    expect(parseNumber(' 2.5 ')).toBe(2.5);
  });

  it('kibToBytes multiplies by 1024 exactly', () => {
    expect(kibToBytes('17578328012')).toBe(17578328012 * 1024);
    expect(kibToBytes('*')).toBeNull();
  });

  it('text, parseYesNo and unixToIso', () => {
    expect(text('')).toBeNull();
    expect(text(' x ')).toBe('x');
    expect(parseYesNo('yes')).toBe(true);
    expect(parseYesNo('0')).toBe(false);
    expect(parseYesNo('maybe')).toBeNull();
    expect(unixToIso(0)).toBeNull();
    expect(unixToIso(1586822456)).toBe('2020-04-14T00:00:56.000Z');
  });
});
