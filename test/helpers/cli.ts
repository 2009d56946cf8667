import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TESTDATA } from './start-server.js';

export const MAIN = resolve(import.meta.dirname, '../../dist/server/main.js');

export function assertBuilt(): void {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does this).`);
}

export async function tempEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const root = await mkdtemp(join(tmpdir(), 'umcp-cli-'));
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    UNRAID_MCP_CONFIG_DIR: join(root, 'config'),
    UNRAID_MCP_STATE_DIR: join(root, 'state'),
    UNRAID_MCP_AUDIT_DIR: join(root, 'audit'),
    UNRAID_MCP_HOST: '127.0.0.1',
    UNRAID_MCP_PORT: '0',
    UNRAID_MCP_PROC_ROOT: join(TESTDATA, 'proc'),
    UNRAID_MCP_SYS_ROOT: join(TESTDATA, 'sys'),
    UNRAID_MCP_EMHTTP_ROOT: join(TESTDATA, 'emhttp', 'parity-check-running'),
    DOCKER_HOST: `unix://${join(root, 'none.sock')}`,
    LIBVIRT_URI: 'test:///default',
    UNRAID_MCP_ADMIN_SOCKET: join(root, 'admin.sock'),
    UNRAID_MCP_AUDIT_RAM_DIR: join(root, 'audit-ram'),
    UNRAID_MCP_AUDIT_PERSISTENT_DIR: join(root, 'audit'),
    ...extra,
  };
}

/** Runs the built CLI to completion. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export interface Served {
  child: ChildProcess;
  url: string;
  origin: string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Starts `unraid-mcp serve` and resolves once it prints its ready line. */
export function serve(env: Record<string, string>): Promise<Served> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve'], { env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`serve did not become ready in 10 s; stderr: ${stderr}`)),
      10_000,
    );
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited early with ${code}; stderr: ${stderr}`)));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^unraid-mcp ready: MCP URL (http:\/\/\S+)\n/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1] as string;
      resolvePromise({
        child,
        url,
        origin: new URL(url).origin,
        stderr: () => stderr,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null) return r(child.exitCode);
            child.removeAllListeners('exit');
            child.once('exit', (code) => r(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
