import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { adminRequest } from '../../server/admin/admin-client.js';

const REPO = resolve(import.meta.dirname, '../..');
const TESTDATA = join(REPO, 'testdata');
/** The built sidecar (`npm run build`): the tests run it as its own process, as the rc script does. */
export const MAIN = join(REPO, 'dist/server/main.js');

export const EVENT_DIR = join(REPO, 'plugin/usr/local/emhttp/plugins/unraid-mcp/event');

/**
 * A pretend Unraid server in a temporary folder, for a real `unraid-mcp serve` process: emhttp state
 * (var.ini's mdState says whether the array is started), docker.cfg naming an appdata folder, RAM
 * folders for the audit log and state, and a `logger` on PATH that writes what would go to syslog
 * into a file.
 */
export interface ServiceHost {
  root: string;
  appdata: string;
  emhttp: string;
  ramAudit: string;
  ramState: string;
  syslog: string;
  env: Record<string, string>;
}

export async function makeServiceHost(opts: { arrayStarted: boolean; cfg?: string }): Promise<ServiceHost> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first.`);
  const root = await mkdtemp(join(tmpdir(), 'umcp-service-'));
  const host: ServiceHost = {
    root,
    appdata: join(root, 'mnt/user/appdata'),
    emhttp: join(root, 'emhttp'),
    ramAudit: join(root, 'var/log/unraid-mcp/audit'),
    ramState: join(root, 'var/local/unraid-mcp'),
    syslog: join(root, 'syslog'),
    env: {},
  };
  await mkdir(host.appdata, { recursive: true });
  await cp(join(TESTDATA, 'emhttp/parity-check-running'), host.emhttp, { recursive: true });
  await setArrayStarted(host, opts.arrayStarted);
  await writeFile(
    join(root, 'docker.cfg'),
    `DOCKER_ENABLED="yes"\nDOCKER_APP_CONFIG_PATH="${host.appdata}/"\n`,
  );
  await mkdir(join(root, 'config'), { recursive: true });
  await writeFile(join(root, 'config/unraid-mcp.cfg'), opts.cfg ?? 'APPROVAL_WAIT_SECONDS="5"\n');
  await writeFile(
    join(root, 'config/policy.json'),
    JSON.stringify({ version: 1, confirmModes: { vm_pause: 'approve' } }),
  );
  // syslog stand-in: `logger -t TAG -- MESSAGE` appends "TAG: MESSAGE".
  await mkdir(join(root, 'bin'));
  await writeFile(
    join(root, 'bin/logger'),
    `#!/bin/sh\n[ "$1" = -t ] && tag=$2 && shift 2\n[ "$1" = -- ] && shift\necho "$tag: $*" >> '${host.syslog}'\n`,
  );
  await chmod(join(root, 'bin/logger'), 0o755);
  host.env = {
    PATH: `${join(root, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    UNRAID_MCP_CONFIG_DIR: join(root, 'config'),
    UNRAID_MCP_STATE_DIR: host.ramState,
    UNRAID_MCP_AUDIT_RAM_DIR: host.ramAudit,
    UNRAID_MCP_DOCKER_CFG: join(root, 'docker.cfg'),
    UNRAID_MCP_DOMAIN_CFG: join(root, 'domain.cfg'),
    UNRAID_MCP_EMHTTP_ROOT: host.emhttp,
    UNRAID_MCP_PROC_ROOT: join(TESTDATA, 'proc'),
    UNRAID_MCP_SYS_ROOT: join(TESTDATA, 'sys'),
    UNRAID_MCP_HOST: '127.0.0.1',
    UNRAID_MCP_PORT: '0',
    UNRAID_MCP_ADMIN_SOCKET: join(root, 'admin.sock'),
    DOCKER_HOST: `unix://${join(root, 'no-docker.sock')}`,
    LIBVIRT_URI: 'test:///default',
    // The hooks run the built CLI instead of the packaged launcher.
    UNRAID_MCP_BIN: MAIN,
  };
  return host;
}

/** The persistent folders the service uses below appdata (env.ts defaults). */
export const persistentAudit = (h: ServiceHost) => join(h.appdata, 'unraid-mcp/audit');
export const persistentApprovals = (h: ServiceHost) => join(h.appdata, 'unraid-mcp/approvals');

export async function setArrayStarted(host: ServiceHost, started: boolean): Promise<void> {
  const path = join(host.emhttp, 'var.ini');
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.replace(/^mdState=".*"$/m, `mdState="${started ? 'STARTED' : 'STOPPED'}"`));
}

/** `unraid-mcp token create` (the service is not running yet); returns the secret. */
export async function createToken(host: ServiceHost, name: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [MAIN, 'token', 'create', '--name', name, '--scope', 'admin'],
    { env: host.env },
  );
  const secret = stdout.trim().split('\n').at(-1)?.trim();
  if (!secret) throw new Error(`token create printed no secret:\n${stdout}`);
  return secret;
}

export interface Sidecar {
  child: ChildProcess;
  pid: number;
  url: string;
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `unraid-mcp serve`; resolves once it prints its MCP URL. */
export function startSidecar(host: ServiceHost, extraEnv: Record<string, string> = {}): Promise<Sidecar> {
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...host.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let signal: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code, sig) => {
      signal = sig;
      r(code);
    }),
  );
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the sidecar was not ready within 15 s:\n${log}`));
    }, 15_000);
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /MCP URL (http:\/\/\S+)/.exec(log);
      if (!m) return;
      clearTimeout(timer);
      resolvePromise({
        child,
        pid: child.pid as number,
        url: m[1] as string,
        output: () => (signal ? `${log}\n(killed by ${signal})` : log),
        exited,
        stop: () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the sidecar exited (${code}) before it was ready:\n${log}`));
    });
  });
}

export async function connect(url: string, secret: string): Promise<Client> {
  const client = new Client({ name: 'service-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${secret}` } },
    }),
  );
  return client;
}

export async function admin<T = Record<string, unknown>>(
  host: ServiceHost,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return (
    await adminRequest<T>(
      { socket: host.env.UNRAID_MCP_ADMIN_SOCKET as string, port: null },
      method,
      path,
      body,
    )
  ).data;
}

/** Runs an array event hook as emhttpd would; its exit code and output. */
export async function runHook(
  host: ServiceHost,
  event: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(join(EVENT_DIR, event), [], { env: host.env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The files process `pid` holds open (its /proc/PID/fd links) that lie under `dir`. */
export async function openFilesUnder(pid: number, dir: string): Promise<string[]> {
  const fdDir = `/proc/${pid}/fd`;
  const found: string[] = [];
  for (const fd of await readdir(fdDir)) {
    const target = await readlink(join(fdDir, fd)).catch(() => '');
    if (target === dir || target.startsWith(`${dir}/`)) found.push(target);
  }
  return found;
}

export async function syslogLines(host: ServiceHost): Promise<string[]> {
  return (await readFile(host.syslog, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** Records of every audit file in `dir`, oldest first. */
export async function auditRecords(dir: string): Promise<Array<Record<string, unknown>>> {
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => /^audit.*\.jsonl$/.test(f))
    .sort();
  const out: Array<Record<string, unknown>> = [];
  for (const f of files)
    for (const line of (await readFile(join(dir, f), 'utf8')).split('\n').filter(Boolean))
      out.push(JSON.parse(line) as Record<string, unknown>);
  return out;
}
