import { beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { assertBuilt, runCli, tempEnv } from '../helpers/cli.js';

/**
 * What the CLI says when the configuration folder is missing and when the port is taken, through the
 * built binary: plain lines that name the folder, the port and the setting to change.
 */
beforeAll(assertBuilt);

/** Holds a TCP port on 127.0.0.1 so the sidecar cannot have it. */
async function takePort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server };
}
const release = (s: Server) => new Promise<void>((r) => s.close(() => r()));

describe('a configuration folder that does not exist', () => {
  it('token list says so (and exits 1) instead of "No tokens."', async () => {
    const env = await tempEnv();
    const dir = env.UNRAID_MCP_CONFIG_DIR as string;
    for (const args of [
      ['token', 'list'],
      ['token', 'list', '--json'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${dir}: (folder): does not exist. Set UNRAID_MCP_CONFIG_DIR`);
      expect(r.stderr).not.toMatch(/No tokens/);
    }
  });

  it('config check says so (and exits 1) instead of "valid"', async () => {
    const env = await tempEnv();
    const dir = env.UNRAID_MCP_CONFIG_DIR as string;
    const r = await runCli(['config', 'check'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/valid/);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${dir}: \\(folder\\): does not exist\\. Set UNRAID_MCP_CONFIG_DIR`)),
      `1 problem in ${dir}`,
    ]);
  });

  it('an empty folder that exists is still "No tokens." and valid', async () => {
    const env = await tempEnv();
    await mkdir(env.UNRAID_MCP_CONFIG_DIR as string, { recursive: true });
    const list = await runCli(['token', 'list'], env);
    expect([list.code, list.stdout]).toEqual([0, expect.stringMatching(/^No tokens\./)]);
    const check = await runCli(['config', 'check'], env);
    expect([check.code, check.stdout]).toEqual([0, expect.stringContaining('is valid')]);
  });

  it('token create still creates the folder', async () => {
    const env = await tempEnv();
    const r = await runCli(['token', 'create', '--name', 'first', '--scope', 'read'], env);
    expect(r.code).toBe(0);
    expect((await runCli(['token', 'list'], env)).stdout).toMatch(/^NAME\s+SCOPE/);
  });
});

describe('a port that is already in use', () => {
  const stackLine = /^\s+at /m;

  it('serve prints one plain line naming the port and UNRAID_MCP_PORT, and exits 1', async () => {
    const held = await takePort();
    try {
      const env = await tempEnv({ UNRAID_MCP_PORT: String(held.port) });
      const r = await runCli(['serve'], env);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toMatch(/ready/);
      expect(r.stderr).not.toMatch(stackLine);
      const ours = r.stderr.split('\n').filter((l) => l.startsWith('unraid-mcp:'));
      expect(ours).toEqual([
        `unraid-mcp: port ${held.port} on 127.0.0.1 is already in use by another program. ` +
          'Stop that program, or set UNRAID_MCP_PORT to a free port.',
      ]);
    } finally {
      await release(held.server);
    }
  });

  it('without UNRAID_MCP_PORT the port comes from the settings file, and the line names that setting', async () => {
    const held = await takePort();
    try {
      const env = await tempEnv({ UNRAID_MCP_PORT: '', UNRAID_MCP_HOST: '' });
      await mkdir(env.UNRAID_MCP_CONFIG_DIR!, { recursive: true });
      await writeFile(
        join(env.UNRAID_MCP_CONFIG_DIR!, 'unraid-mcp.cfg'),
        `BIND="127.0.0.1"\nPORT="${held.port}"\n`,
      );
      const r = await runCli(['serve'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `unraid-mcp: port ${held.port} on 127.0.0.1 is already in use by another program. ` +
          'Stop that program, or set PORT in unraid-mcp.cfg (Settings → Unraid MCP → Settings) to a free port.',
      );
    } finally {
      await release(held.server);
    }
  });

  it("the demo's admin port names UNRAID_MCP_ADMIN_PORT", async () => {
    const held = await takePort();
    try {
      const env = await tempEnv({ UNRAID_MCP_ADMIN_PORT: String(held.port) });
      const r = await runCli(['serve'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(stackLine);
      expect(r.stderr).toContain(
        `unraid-mcp: port ${held.port} on 127.0.0.1 is already in use by another program. ` +
          'Stop that program, or set UNRAID_MCP_ADMIN_PORT to a free port.',
      );
    } finally {
      await release(held.server);
    }
  });
});
