import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, DEFAULT_SETTINGS } from '../../server/config/settings.js';
import { parseCfg, serializeCfg } from '../../server/config/cfg-file.js';
import { writeFileAtomic } from '../../server/config/atomic-write.js';

const dir = () => mkdtemp(join(tmpdir(), 'umcp-cfg-'));

describe('unraid-mcp.cfg', () => {
  it('missing file means defaults', async () => {
    expect(await loadSettings(await dir())).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toMatchObject({ readOnly: false, responseCapBytes: 40 * 1024, toolsets: ['system', 'docker', 'vm'] });
  });

  it('reads values, CRLF and comments', async () => {
    const d = await dir();
    await writeFile(join(d, 'unraid-mcp.cfg'), '# set by the WebGUI\r\nREAD_ONLY="yes"\r\nTOOLSETS="system"\r\nRESPONSE_CAP_KB="100"\r\n');
    expect(await loadSettings(d)).toMatchObject({ readOnly: true, toolsets: ['system'], responseCapBytes: 100 * 1024 });
  });

  it('a half-written file is an error, not a default', async () => {
    const d = await dir();
    await writeFile(join(d, 'unraid-mcp.cfg'), 'READ_ONLY="yes"\nTOOLSETS="sys');
    await expect(loadSettings(d)).rejects.toThrow('unraid-mcp.cfg: line 2: cannot read line 2: expected KEY="value"');
  });

  it('round-trips quotes and backslashes', () => {
    const values = { A: 'say "hi"', B: 'C:\\path', C: '' };
    expect(parseCfg(serializeCfg(values))).toEqual({ values, problems: [] });
  });
});

describe('writeFileAtomic', () => {
  it('writes with the mode and skips an unchanged write (flash wear)', async () => {
    const d = await dir();
    const p = join(d, 'x.json');
    expect(await writeFileAtomic(p, 'one')).toBe(true);
    const first = await stat(p);
    expect(first.mode & 0o777).toBe(0o600);
    expect(await writeFileAtomic(p, 'one')).toBe(false);
    expect((await stat(p)).ino).toBe(first.ino);
    expect(await writeFileAtomic(p, 'two')).toBe(true);
    expect(await readFile(p, 'utf8')).toBe('two');
  });
});
