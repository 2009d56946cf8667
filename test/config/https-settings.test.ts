import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFromCfg } from '../../server/config/settings.js';
import { SettingsStore } from '../../server/config/settings-store.js';
import { parseEnv } from '../../server/config/env.js';
import { ConfigError } from '../../server/errors/config-error.js';
import { silentLogger } from '../../server/log.js';

const problemsOf = (values: Record<string, string>) => {
  try {
    settingsFromCfg(values);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
};

describe('HTTP, HTTPS and HTTPS_PORT in unraid-mcp.cfg', () => {
  it('both listeners are on by default, HTTPS on 8767', () => {
    expect(settingsFromCfg({})).toMatchObject({ http: true, port: 8765, https: true, httpsPort: 8767 });
    expect(settingsFromCfg({ HTTP: 'no', HTTPS_PORT: '9443' })).toMatchObject({
      http: false,
      https: true,
      httpsPort: 9443,
    });
  });

  it('refuses both off, one port for both, and values that are not yes/no or a port', () => {
    expect(problemsOf({ HTTP: 'no', HTTPS: 'no' })).toEqual([
      {
        file: 'unraid-mcp.cfg',
        field: 'HTTPS',
        message: 'HTTP and HTTPS cannot both be off: no client could reach MCP (turn one of them on)',
      },
    ]);
    expect(problemsOf({ PORT: '9000', HTTPS_PORT: '9000' })).toEqual([
      {
        file: 'unraid-mcp.cfg',
        field: 'HTTPS_PORT',
        message: 'must differ from PORT (9000): HTTP and HTTPS each need their own port',
      },
    ]);
    // One port is fine when one of the two is off.
    expect(problemsOf({ PORT: '9000', HTTPS_PORT: '9000', HTTP: 'no' })).toEqual([]);
    expect(problemsOf({ HTTPS: 'on', HTTPS_PORT: '70000' })).toEqual([
      { file: 'unraid-mcp.cfg', field: 'HTTPS_PORT', message: 'must be at most 65535' },
      { file: 'unraid-mcp.cfg', field: 'HTTPS', message: 'must be "yes" or "no"' },
    ]);
  });

  it('the admin patch refuses both off by field name, writes nothing, and saves a valid change', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'umcp-cfg-'));
    const store = new SettingsStore({ configDir, knownTools: [], log: silentLogger });
    await store.load();
    await expect(store.update({ http: false, https: false })).rejects.toMatchObject({
      problems: [
        {
          file: 'unraid-mcp.cfg',
          field: 'https',
          message: 'http and https cannot both be off: no client could reach MCP (turn one of them on)',
        },
      ],
    });
    await expect(store.update({ httpsPort: 8765 })).rejects.toMatchObject({
      problems: [{ field: 'httpsPort', message: expect.stringContaining('must differ from port (8765)') }],
    });
    const saved = await store.update({ http: false, httpsPort: 9443 });
    expect(saved.changed).toEqual(['http', 'httpsPort']);
    const cfg = await readFile(join(configDir, 'unraid-mcp.cfg'), 'utf8');
    expect(cfg).toContain('HTTP="no"');
    expect(cfg).toContain('HTTPS_PORT="9443"');
  });

  it('a hand-edited file with both off is an invalid settings file (MCP refuses until fixed)', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'umcp-cfg-'));
    await writeFile(join(configDir, 'unraid-mcp.cfg'), 'HTTP="no"\nHTTPS="no"\n');
    const store = new SettingsStore({ configDir, knownTools: [], log: silentLogger });
    await store.load();
    expect(store.configError()?.problems).toEqual([
      expect.objectContaining({ file: 'unraid-mcp.cfg', field: 'HTTPS' }),
    ]);
  });
});

describe('UNRAID_MCP_HTTPS_PORT and UNRAID_MCP_CERTS_DIR', () => {
  it('default to the cfg port and the WebGUI certificate folder', () => {
    expect(parseEnv({}, true)).toMatchObject({ httpsPort: null, certsDir: '/boot/config/ssl/certs' });
    expect(parseEnv({ UNRAID_MCP_HTTPS_PORT: '0', UNRAID_MCP_CERTS_DIR: '/tmp/certs/' }, true)).toMatchObject(
      { httpsPort: 0, certsDir: '/tmp/certs' },
    );
  });

  it('refuses a port that is not one', () => {
    expect(() => parseEnv({ UNRAID_MCP_HTTPS_PORT: '8443x' }, true)).toThrow(
      'UNRAID_MCP_HTTPS_PORT: "8443x" is not a port number (0-65535)',
    );
  });
});
