import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';

export interface Dockerd {
  socket: string;
  dir: string;
  stop(): Promise<void>;
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => (req.destroy(), resolve(false)));
    req.end();
  });
}

/**
 * Starts a private, real Docker Engine for tests: its own socket, data root and exec root, vfs
 * storage and no bridge or iptables, so it touches nothing else on the machine. Throws (never skips)
 * when dockerd is missing or does not come up, with its log.
 */
export async function startDockerd(): Promise<Dockerd> {
  const binary = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p));
  if (!binary) throw new Error('dockerd is not installed: run "apt-get install -y docker.io" (npm test does this on Debian when run as root).');
  const dir = await mkdtemp(join(tmpdir(), 'umcp-dockerd-'));
  await Promise.all(['data', 'exec'].map((d) => mkdir(join(dir, d))));
  const socket = join(dir, 'docker.sock');
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  const child = spawn(
    binary,
    [`--host=unix://${socket}`, `--data-root=${join(dir, 'data')}`, `--exec-root=${join(dir, 'exec')}`, `--pidfile=${join(dir, 'dockerd.pid')}`,
      '--storage-driver=vfs', '--iptables=false', '--ip6tables=false', '--bridge=none'],
    { stdio: ['ignore', log, log], detached: true },
  );
  child.unref();
  const deadline = Date.now() + 20_000;
  while (!(await ping(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = await readFile(join(dir, 'dockerd.log'), 'utf8').catch(() => '');
      child.kill('SIGKILL');
      throw new Error(`dockerd did not start (exit ${child.exitCode}). Last log lines:\n${text.split('\n').slice(-15).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    socket,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      // The vfs data root can hold read-only layers; unmount leftovers before removing.
      try {
        execFileSync('umount', ['-R', join(dir, 'exec')], { stdio: 'ignore' });
      } catch {
        /* nothing mounted */
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
