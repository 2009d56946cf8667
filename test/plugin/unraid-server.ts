import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { REPO } from './package-build.js';
import { PluginManager } from './plugin-manager.js';
import { ScratchMachine, type RunResult, type SeedFile } from './scratch-machine.js';
import { unraidShims } from './unraid-shims.js';

export const RC = '/etc/rc.d/rc.unraid-mcp';
export const CLI = '/usr/local/bin/unraid-mcp';
export const PLUGDIR = '/boot/config/plugins/unraid-mcp';
const EVENTS = '/usr/local/emhttp/plugins/unraid-mcp/event';
const EMHTTP_FIXTURE = join(REPO, 'testdata/emhttp/parity-check-running');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * One Unraid server for the install tests: a ScratchMachine with Unraid's version file, package tools,
 * notify and logger, emhttp's state files (an array that can be started and stopped), the flash drive
 * and the array's user share as folders that survive a reboot, and the plugin manager to drive it.
 */
export class UnraidServer {
  readonly plugins: PluginManager;
  private constructor(
    readonly machine: ScratchMachine,
    private readonly opts: { dir: string; flashDir: string; arrayDir: string; unraidVersion: string },
  ) {
    this.plugins = new PluginManager(machine);
  }

  /** Powers on with the array stopped (as at boot, before the plugins are installed). */
  static async boot(opts: {
    dir: string;
    flashDir: string;
    arrayDir: string;
    unraidVersion?: string;
  }): Promise<UnraidServer> {
    const unraidVersion = opts.unraidVersion ?? '7.2.0';
    const seed: SeedFile[] = [...unraidShims(unraidVersion)];
    for (const f of await readdir(EMHTTP_FIXTURE)) {
      let content = await readFile(join(EMHTTP_FIXTURE, f), 'utf8');
      if (f === 'var.ini') content = content.replace(/^mdState=.*$/m, 'mdState="STOPPED"');
      seed.push({ path: `var/local/emhttp/${f}`, content });
    }
    const machine = await ScratchMachine.boot({ ...opts, seed });
    return new UnraidServer(machine, { ...opts, unraidVersion });
  }

  /** Pulls the plug and boots again: RAM (the overlay) is fresh, the flash drive and the array stay. */
  async reboot(): Promise<UnraidServer> {
    await this.machine.powerOff();
    return UnraidServer.boot(this.opts);
  }

  /** What emhttpd does when the array starts: mount the user share, var.ini says so, then the events. */
  async startArray(): Promise<string> {
    const m = this.machine;
    await m.bindFromHost(this.opts.arrayDir, '/mnt/user');
    await m.run('mkdir', ['-p', '/mnt/user/appdata']);
    await m.sh(`sed -i 's/^mdState=.*/mdState="STARTED"/' /var/local/emhttp/var.ini`);
    return this.events(['disks_mounted', 'started']);
  }

  /** What emhttpd does when the array stops: the events, then the user share goes away. */
  async stopArray(): Promise<string> {
    const said = await this.events(['stopping', 'unmounting_disks']);
    const r = await this.machine.sh('umount /mnt/user');
    // A file still open on the array keeps it busy: that is what the stop events must prevent.
    if (r.code !== 0) throw new Error(`unmounting the array failed (busy?): ${r.stderr}`);
    await this.machine.sh(`sed -i 's/^mdState=.*/mdState="STOPPED"/' /var/local/emhttp/var.ini`);
    return said;
  }

  private async events(names: string[]): Promise<string> {
    let out = '';
    for (const e of names) {
      const r = await this.machine.sh(`[ -x ${EVENTS}/${e} ] || exit 0; ${EVENTS}/${e} 2>&1`);
      out += r.stdout;
      if (r.code !== 0) throw new Error(`event ${e} exited ${r.code}: ${r.stdout}`);
    }
    return out;
  }

  rc(action: string): Promise<RunResult> {
    return this.machine.run(RC, [action], { timeoutMs: 40_000 });
  }

  /** `unraid-mcp token create` with the installed command line; the secret. */
  async createToken(name: string): Promise<string> {
    const r = await this.machine.run(CLI, ['token', 'create', '--name', name, '--scope', 'admin']);
    if (r.code !== 0) throw new Error(`token create failed: ${r.stdout}${r.stderr}`);
    const secret = r.stdout.trim().split('\n').at(-1)?.trim();
    if (!secret) throw new Error(`token create printed no secret: ${r.stdout}`);
    return secret;
  }

  /** The running sidecar's pid (from the rc script's pid file, checked against /proc), or null. */
  async sidecarPid(): Promise<number | null> {
    const pids = (await this.machine.processes()).filter((p) => /\/unraid-mcp\.mjs serve$/.test(p.cmdline));
    if (pids.length > 1) throw new Error(`more than one sidecar runs: ${JSON.stringify(pids)}`);
    return pids[0]?.pid ?? null;
  }

  /** Notifications the plugin's scripts raised, as notify stored them. */
  async notifications(): Promise<Array<Record<string, string>>> {
    const r = await this.machine.sh('cat /tmp/notifications/unread/*.notify 2>/dev/null; exit 0');
    return r.stdout
      .split(/\n(?=timestamp=)/)
      .filter(Boolean)
      .map((block) =>
        Object.fromEntries(
          block
            .split('\n')
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        ),
      );
  }
}

/** A real MCP client over HTTP with a bearer token; closes after `use`. */
export async function withMcpClient<T>(
  url: string,
  secret: string,
  use: (c: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ name: 'install-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${secret}` } },
    }),
  );
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}
