import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './package-build.js';

/** Where the package puts the sidecar, relative to the root it is installed into. */
export const LAUNCHER = 'usr/local/lib/unraid-mcp/bin/unraid-mcp';
export const PACKAGED_NODE = 'usr/local/lib/unraid-mcp/node/bin/node';

/** The environment of a packaged sidecar over the fixture host, with its own folders under `work`. */
export async function fixtureEnv(work: string): Promise<NodeJS.ProcessEnv> {
  for (const d of ['config', 'state', 'audit']) await mkdir(join(work, d), { recursive: true });
  await writeFile(join(work, 'config/unraid-mcp.cfg'), 'PORT="8765"\n');
  return {
    PATH: process.env.PATH,
    UNRAID_MCP_CONFIG_DIR: join(work, 'config'),
    UNRAID_MCP_STATE_DIR: join(work, 'state'),
    UNRAID_MCP_AUDIT_DIR: join(work, 'audit'),
    UNRAID_MCP_AUDIT_RAM_DIR: join(work, 'audit-ram'),
    UNRAID_MCP_AUDIT_PERSISTENT_DIR: join(work, 'audit'),
    UNRAID_MCP_HOST: '127.0.0.1',
    UNRAID_MCP_PORT: '0',
    UNRAID_MCP_ADMIN_SOCKET: join(work, 'admin.sock'),
    UNRAID_MCP_PROC_ROOT: join(REPO, 'testdata/proc'),
    UNRAID_MCP_SYS_ROOT: join(REPO, 'testdata/sys'),
    UNRAID_MCP_EMHTTP_ROOT: join(REPO, 'testdata/emhttp/parity-check-running'),
    DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}`,
    LIBVIRT_URI: 'test:///default',
    // The launcher's default is /var/cache/unraid-mcp (root-only, in RAM on Unraid); not on a dev machine.
    NODE_COMPILE_CACHE: join(work, 'compile-cache'),
  };
}

/** `unraid-mcp token create` through the package's launcher; returns the new secret. */
export async function createPackagedToken(
  root: string,
  env: NodeJS.ProcessEnv,
  name: string,
): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(root, LAUNCHER),
    ['token', 'create', '--name', name, '--scope', 'admin'],
    { env },
  );
  const secret = stdout.trim().split('\n').at(-1)?.trim();
  if (!secret) throw new Error(`token create printed no secret:\n${stdout}`);
  return secret;
}

export interface RunningSidecar {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `unraid-mcp serve` through the launcher; resolves once it prints its MCP URL. */
export function servePackaged(
  root: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<RunningSidecar> {
  const child = spawn(join(root, LAUNCHER), ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the packaged sidecar was not ready within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /MCP URL (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1]!,
          output: () => log,
          async stop() {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the packaged sidecar exited (${code}) before it was ready:\n${log}`));
    });
  });
}
