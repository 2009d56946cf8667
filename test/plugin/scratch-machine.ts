import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A file the machine has from its first moment (written into the overlay's upper layer before it is mounted). */
export interface SeedFile {
  path: string;
  content: string;
  mode?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A throwaway Unraid-like server on this machine: its own mount and pid namespace, chrooted into an
 * overlay of `/` whose writes land in a scratch folder, so the absolute paths in the .plg's scripts
 * (/boot/…, /etc/rc.d/…, /usr/local/…, /var/log/…) are the real paths those scripts use, and nothing
 * of the host changes. The flash drive (`/boot`) and the array (`/mnt/user`) are host folders bound in,
 * so they outlive the machine like the real ones outlive a reboot; `/var/run` is one too, so the admin
 * socket can be reached from outside. `/tmp` is a fresh tmpfs and `/proc` shows this machine's
 * processes only. Its pid 1 is a shell that reaps orphans, as init does; killing it ends every process
 * of the machine (that is also what `powerOff` does after the services were stopped).
 */
export class ScratchMachine {
  private holder: ChildProcess | null = null;
  /** Host pid of the machine's pid 1. */
  pid = 0;
  readonly upper: string;
  readonly runDir: string;

  private constructor(
    readonly dir: string,
    readonly flashDir: string,
    readonly arrayDir: string,
  ) {
    this.upper = join(dir, 'upper');
    this.runDir = join(dir, 'run');
  }

  /** Boots a fresh machine in `dir` (emptied first) with the given flash and array folders. */
  static async boot(opts: {
    dir: string;
    flashDir: string;
    arrayDir: string;
    seed: SeedFile[];
  }): Promise<ScratchMachine> {
    const m = new ScratchMachine(opts.dir, opts.flashDir, opts.arrayDir);
    await rm(opts.dir, { recursive: true, force: true });
    for (const d of ['upper', 'work', 'merged', 'run']) await mkdir(join(opts.dir, d), { recursive: true });
    await mkdir(opts.flashDir, { recursive: true });
    await mkdir(opts.arrayDir, { recursive: true });
    for (const f of opts.seed) {
      const path = join(m.upper, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
      await chmod(path, f.mode ?? 0o644);
    }
    await m.start();
    return m;
  }

  private async start(): Promise<void> {
    const merged = join(this.dir, 'merged');
    const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    // /var/run is a link to /run on many hosts (on Unraid a folder in RAM): bind over what it names.
    const varRun = await lstat('/var/run');
    const runPath = varRun.isSymbolicLink() ? resolve('/var', await readlink('/var/run')) : '/var/run';
    const setup = [
      `mount -t overlay overlay -o lowerdir=/,upperdir=${q(this.upper)},workdir=${q(join(this.dir, 'work'))} ${q(merged)}`,
      `mount --rbind /dev ${q(merged)}/dev`,
      `mount --rbind /sys ${q(merged)}/sys`,
      `mount -t tmpfs -o mode=1777 tmpfs ${q(merged)}/tmp`,
      `mount --bind ${q(this.runDir)} ${q(join(merged, runPath))}`,
      `mkdir -p ${q(merged)}/boot ${q(merged)}/mnt/user`,
      `mount --bind ${q(this.flashDir)} ${q(merged)}/boot`,
      // pid 1: reaps whatever is orphaned (daemons started with setsid -f end up here), ignores
      // SIGTERM, and ends (taking every process of the machine with it) when the test process that
      // holds its stdin goes away, however it ends.
      `exec chroot ${q(merged)} /bin/bash -c 'mount -t proc proc /proc; trap : TERM; while read -r -t 1 _ || [ $? -gt 128 ]; do :; done'`,
    ].join(' && ');
    const holder = spawn(
      'unshare',
      ['--mount', '--pid', '--fork', '--propagation', 'private', '--', 'sh', '-c', setup],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    this.holder = holder;
    let err = '';
    holder.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      if (holder.exitCode !== null) throw new Error(`the scratch machine did not start:\n${err}`);
      const children = await readFile(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').catch(
        () => '',
      );
      const pid = Number(children.trim().split(' ')[0]);
      // Ready once pid 1 has changed root into the overlay (before that its root is the host's, where
      // nothing may run) and has mounted its own /proc.
      const root = pid ? await readlink(`/proc/${pid}/root`).catch(() => '') : '';
      if (root === merged) {
        const ok = await exec('nsenter', [
          '-t',
          String(pid),
          '-m',
          '-p',
          '-r',
          '-w',
          '--',
          'test',
          '-e',
          '/proc/1/stat',
        ]).then(
          () => true,
          () => false,
        );
        if (ok) {
          this.pid = pid;
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    holder.kill('SIGKILL');
    throw new Error(`the scratch machine did not start within 10 s:\n${err}`);
  }

  /** Runs a command inside the machine as root, from `/`; never throws for a non-zero exit. */
  async run(
    cmd: string,
    args: string[] = [],
    opts: { env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    const env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/root',
      LANG: 'C',
      ...opts.env,
    };
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    // Never on the host's own root: only inside the overlay.
    if ((await readlink(`/proc/${this.pid}/root`).catch(() => '')) !== join(this.dir, 'merged'))
      throw new Error('the scratch machine is not running');
    return exec(
      'nsenter',
      ['-t', String(this.pid), '-m', '-p', '-r', '-w', '--', 'env', '-i', ...envArgs, cmd, ...args],
      {
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 16 << 20,
      },
    ).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code?: number | string; stdout?: string; stderr?: string; killed?: boolean }) => {
        if (typeof e.code !== 'number')
          throw new Error(
            `running ${cmd} in the scratch machine failed: ${String(e.code)} ${e.stderr ?? ''}`,
          );
        return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      },
    );
  }

  /** A bash script inside the machine. */
  sh(script: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
    return this.run('/bin/bash', ['-c', script], opts);
  }

  /** Writes a file inside the machine. */
  async write(path: string, content: string): Promise<void> {
    const b64 = Buffer.from(content).toString('base64');
    const r = await this.run('/bin/sh', ['-c', 'printf %s "$1" | base64 -d >"$2"', 'sh', b64, path]);
    if (r.code !== 0) throw new Error(`could not write ${path} in the scratch machine: ${r.stderr}`);
  }

  /** Binds a host folder over `target` inside the machine (a disk being mounted). */
  async bindFromHost(hostDir: string, target: string): Promise<void> {
    await exec('nsenter', [
      '-t',
      String(this.pid),
      '-m',
      '--',
      'mount',
      '--bind',
      hostDir,
      join(this.dir, 'merged', target),
    ]);
  }

  /** A file as the machine sees it (null when absent). */
  async read(path: string): Promise<string | null> {
    const r = await this.run('cat', [path]);
    return r.code === 0 ? r.stdout : null;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.run('test', ['-e', path])).code === 0;
  }

  /** The machine's processes other than its pid 1 (zombies left out), by host pid. */
  async processes(): Promise<Array<{ pid: number; cmdline: string }>> {
    const ns = await readlink(`/proc/${this.pid}/ns/pid`);
    const found: Array<{ pid: number; cmdline: string }> = [];
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === this.pid) continue;
      const facts = await Promise.all([
        readlink(`/proc/${name}/ns/pid`),
        readFile(`/proc/${name}/stat`, 'utf8'),
        readFile(`/proc/${name}/cmdline`, 'utf8'),
      ]).catch(() => null);
      if (!facts || facts[0] !== ns) continue;
      const [state] = facts[1].slice(facts[1].lastIndexOf(')') + 2).split(' ');
      const cmdline = facts[2].split('\0').filter(Boolean).join(' ');
      if (state === 'Z') continue;
      found.push({ pid: Number(name), cmdline });
    }
    return found;
  }

  /** Ends every process of the machine at once (as pulling the plug would); the namespace goes with it. */
  async powerOff(): Promise<void> {
    const holder = this.holder;
    if (!holder || holder.exitCode !== null) return;
    const exited = new Promise((r) => holder.once('exit', r));
    if (this.pid) process.kill(this.pid, 'SIGKILL');
    await exited;
    this.holder = null;
  }
}
