import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, effectiveConfirmMode, settingsFromCfg } from '../../server/config/settings.js';
import { loadConfig } from '../../server/config/config-files.js';
import { editCfg, parseCfg, serializeCfg } from '../../server/config/cfg-file.js';
import { writeFileAtomic } from '../../server/config/atomic-write.js';
import type { KnownTool } from '../../server/config/settings-check.js';

const dir = () => mkdtemp(join(tmpdir(), 'umcp-cfg-'));
const tools: KnownTool[] = [{ name: 'system_overview', writing: false }];
const load = async (d: string) => (await loadConfig(d, tools)).settings;

describe('unraid-mcp.cfg', () => {
  it('missing files mean defaults', async () => {
    expect(await load(await dir())).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toEqual({
      port: 8765,
      bind: '0.0.0.0',
      http: true,
      https: true,
      httpsPort: 8767,
      readOnly: false,
      toolsets: ['system', 'docker', 'vm'],
      responseCapBytes: 40 * 1024,
      maxSessions: 64,
      maxSessionsPerToken: 16,
      sessionIdleMs: 30 * 60_000,
      toolTimeoutMs: 30_000,
      allowedHosts: [],
      confirmTokenTtlMs: 5 * 60_000,
      approvalWaitMs: 45_000,
      approvalExpiryMs: 60 * 60_000,
      auditRetentionMs: 30 * 86_400_000,
      auditMinFreeBytes: 256 * 1024 * 1024,
      tokenCallsPerSecond: 20,
      tokenCallBurst: 60,
      maxConcurrentCalls: 32,
      powerTools: false,
      confirmModes: {},
      filters: { containers: { allow: [], deny: [] }, vms: { allow: [], deny: [] } },
      protected: { containers: [], vms: [] },
    });
  });

  it('reads values, CRLF and comments', async () => {
    const d = await dir();
    await writeFile(
      join(d, 'unraid-mcp.cfg'),
      '# set by the WebGUI\r\nREAD_ONLY="yes"\r\nTOOLSETS="vm,system"\r\nRESPONSE_CAP_KB="100"\r\nALLOWED_HOSTS="Tower.lan, 192.168.1.10,fe80::1"\r\n' +
        'CONFIRM_TOKEN_TTL_SECONDS="60"\r\nAPPROVAL_WAIT_SECONDS="30"\r\nAPPROVAL_EXPIRY_MINUTES="10"\r\n',
    );
    expect(await load(d)).toMatchObject({
      readOnly: true,
      toolsets: ['system', 'vm'],
      responseCapBytes: 100 * 1024,
      allowedHosts: ['tower.lan', '192.168.1.10', 'fe80::1'],
      confirmTokenTtlMs: 60_000,
      approvalWaitMs: 30_000,
      approvalExpiryMs: 600_000,
    });
  });

  it('a half-written file is an error, not a default', async () => {
    const d = await dir();
    await writeFile(join(d, 'unraid-mcp.cfg'), 'READ_ONLY="yes"\nTOOLSETS="sys');
    await expect(load(d)).rejects.toThrow('unraid-mcp.cfg: line 2: cannot read line 2: expected KEY="value"');
  });

  it('names every bad value with its key', () => {
    const problems = (values: Record<string, string>) => {
      try {
        settingsFromCfg(values);
        return [];
      } catch (err) {
        return (err as { problems: unknown[] }).problems;
      }
    };
    expect(
      problems({
        ALLOWED_HOSTS: 'tower.lan,http://evil.example:80/x',
        APPROVAL_WAIT_SECONDS: '0',
        COLOUR: 'blue',
      }),
    ).toEqual([
      { file: 'unraid-mcp.cfg', field: 'APPROVAL_WAIT_SECONDS', message: 'must be at least 5' },
      {
        file: 'unraid-mcp.cfg',
        field: 'ALLOWED_HOSTS.1',
        message:
          '"http://evil.example:80/x" is not a host name or IP address (write it without scheme, port or path, e.g. tower.lan or 192.168.1.10)',
      },
      {
        file: 'unraid-mcp.cfg',
        field: 'COLOUR',
        message: expect.stringMatching(
          /^unknown setting \(known: BIND, READ_ONLY, TOOLSETS, PORT, RESPONSE_CAP_KB, .*ALLOWED_HOSTS\)$/,
        ) as string,
      },
    ]);
    expect(problems({ PORT: '70000', BIND: 'tower.lan' })).toEqual([
      {
        file: 'unraid-mcp.cfg',
        field: 'BIND',
        message:
          '"tower.lan" is not an IP address (0.0.0.0 listens on every IPv4 address, :: on every address, or give one of the server\'s own addresses)',
      },
      { file: 'unraid-mcp.cfg', field: 'PORT', message: 'must be at most 65535' },
    ]);
    expect(problems({ APPROVAL_WAIT_SECONDS: '600', APPROVAL_EXPIRY_MINUTES: '5' })).toEqual([
      {
        file: 'unraid-mcp.cfg',
        field: 'APPROVAL_EXPIRY_MINUTES',
        message:
          'must be at least as long as APPROVAL_WAIT_SECONDS (600 s): a pending approval must stay approvable while the call waits for it',
      },
    ]);
  });

  it('round-trips quotes and backslashes', () => {
    const values = { A: 'say "hi"', B: 'C:\\path', C: '' };
    expect(parseCfg(serializeCfg(values))).toEqual({ values, problems: [] });
  });

  it('editCfg changes only the given keys and keeps comments, order and line endings', () => {
    const before = '# mine\r\nTOOLSETS="system"\r\n\r\nREAD_ONLY="no"\r\n';
    expect(editCfg(before, { READ_ONLY: 'yes', MAX_SESSIONS: '8' })).toBe(
      '# mine\r\nTOOLSETS="system"\r\n\r\nREAD_ONLY="yes"\r\nMAX_SESSIONS="8"\r\n',
    );
    expect(editCfg('', { READ_ONLY: 'yes' })).toBe('READ_ONLY="yes"\n');
    expect(editCfg('A="1"', { B: '2' })).toBe('A="1"\nB="2"\n');
  });
});

describe('effectiveConfirmMode', () => {
  it('is override ?? tool default ?? none', () => {
    const s = { confirmModes: { docker_stop: 'none' as const, docker_remove: 'token' as const } };
    expect(effectiveConfirmMode(s, { name: 'docker_stop', confirm: 'approve' })).toBe('none');
    expect(effectiveConfirmMode(s, { name: 'docker_remove' })).toBe('token');
    expect(effectiveConfirmMode(s, { name: 'docker_start', confirm: 'token' })).toBe('token');
    expect(effectiveConfirmMode(s, { name: 'system_overview' })).toBe('none');
    expect(effectiveConfirmMode(s, { name: 'toString' })).toBe('none');
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
