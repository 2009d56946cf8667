// The built sidecar (dist/), started the way the benches measure it: with the V8 flags its launcher
// uses in production (package.json → unraidMcp.nodeFlags), ready once it prints its MCP URL.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToCompletion, startServer } from './children.mjs';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const SIDECAR_MAIN = join(REPO, 'dist/server/main.js');
export const SIDECAR_NODE_FLAGS = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  .unraidMcp.nodeFlags.split(' ')
  .filter(Boolean);

/**
 * Starts `unraid-mcp serve` with `env`, logging to `work`/`logName` (sidecar.log); `srv.match[1]` is
 * the MCP URL. `nodeArgs` go after the production flags (e.g. --cpu-prof); `main` is another build's
 * main.js to measure instead of this checkout's.
 */
export function startBuiltSidecar(
  env,
  work,
  { nodeArgs = [], logName = 'sidecar.log', main = SIDECAR_MAIN } = {},
) {
  return startServer({
    name: 'unraid-mcp',
    command: process.execPath,
    args: [...SIDECAR_NODE_FLAGS, ...nodeArgs, main, 'serve'],
    env,
    cwd: REPO,
    readyOn: 'stdout',
    readyPattern: /MCP URL (http:\/\/\S+)/,
    logPath: join(work, logName),
  });
}

/** The fixture host the benches serve: a plausible Unraid server with a parity check running. */
export const FIXTURE_ROOTS = {
  procRoot: join(REPO, 'testdata/proc'),
  sysRoot: join(REPO, 'testdata/sys'),
  emhttpRoot: join(REPO, 'testdata/emhttp/parity-check-running'),
};

/**
 * A sidecar's own folders under `work` (config with `cfg` as unraid-mcp.cfg, state, audit) and the
 * environment that points it at them, at the host `roots`, at `dockerSocket` (none: a socket that
 * does not exist) and at `libvirtUri`, listening on a free port on 127.0.0.1.
 */
export function sidecarEnv(
  work,
  {
    cfg = '',
    dockerSocket = join(work, 'no-docker.sock'),
    libvirtUri = 'test:///default',
    roots = FIXTURE_ROOTS,
  } = {},
) {
  for (const d of ['c', 's', 'a']) mkdirSync(join(work, d), { recursive: true });
  writeFileSync(join(work, 'c/unraid-mcp.cfg'), cfg);
  return {
    ...process.env,
    UNRAID_MCP_CONFIG_DIR: join(work, 'c'),
    UNRAID_MCP_STATE_DIR: join(work, 's'),
    UNRAID_MCP_AUDIT_DIR: join(work, 'a'),
    UNRAID_MCP_AUDIT_RAM_DIR: join(work, 'a-ram'),
    UNRAID_MCP_AUDIT_PERSISTENT_DIR: join(work, 'a'),
    UNRAID_MCP_HOST: '127.0.0.1',
    UNRAID_MCP_PORT: '0',
    UNRAID_MCP_ADMIN_SOCKET: join(work, 'admin.sock'),
    UNRAID_MCP_PROC_ROOT: roots.procRoot,
    UNRAID_MCP_SYS_ROOT: roots.sysRoot,
    UNRAID_MCP_EMHTTP_ROOT: roots.emhttpRoot,
    DOCKER_HOST: `unix://${dockerSocket}`,
    LIBVIRT_URI: libvirtUri,
  };
}

/**
 * Creates a token with `unraid-mcp token create` (the sidecar is not running yet, so the CLI writes
 * tokens.json itself; call it once at a time) and returns its secret.
 */
export async function createBenchToken(env, name, scope, main = SIDECAR_MAIN) {
  const out = await runToCompletion(
    process.execPath,
    [main, 'token', 'create', '--name', name, '--scope', scope],
    {
      env,
      cwd: REPO,
    },
  );
  const secret = out.trim().split('\n').at(-1)?.trim();
  if (!secret) throw new Error(`token create printed no secret:\n${out}`);
  return secret;
}

/** The commit the build was made from, and whether server/ differs from it (null outside git). */
export function sourceRevision() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      serverDirty: git('status', '--porcelain', '--', 'server') !== '',
    };
  } catch {
    return null;
  }
}

/** warn/error lines the sidecar logged (JSON lines on stderr), grouped by message. */
export function sidecarLogProblems(logPath) {
  const kinds = {};
  let text = '';
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return kinds;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = { level: 'error', msg: `(not JSON) ${line.slice(0, 120)}` };
    }
    if (rec.level === 'warn' || rec.level === 'error') {
      const key = `${rec.level}: ${rec.msg}`;
      kinds[key] = (kinds[key] ?? 0) + 1;
    }
  }
  return kinds;
}
