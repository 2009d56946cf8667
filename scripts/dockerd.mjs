// Starts a private, real Docker Engine: its own socket, data root and exec root, vfs storage, no
// bridge and no iptables, so it touches nothing else on the machine. Used by the test suite's global
// setup and by the demo. Throws (with the daemon's log) when it cannot start.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';

export function dockerdBinary() {
  return ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p)) ?? null;
}

function ping(socket) {
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

async function stopProcess(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** @returns {Promise<{ socket: string, dir: string, pause(): Promise<void>, stop(): Promise<void> }>} */
export async function startDockerd({ timeoutMs = 20_000, dir: reuse } = {}) {
  const binary = dockerdBinary();
  if (!binary) throw new Error('dockerd is not installed: apt-get install -y docker.io');
  // `dir` restarts a daemon on the same socket and data (a test of Docker going away and coming back).
  const dir = reuse ?? mkdtempSync(join(tmpdir(), 'umcp-dockerd-'));
  for (const d of ['data', 'exec']) mkdirSync(join(dir, d), { recursive: true });
  const socket = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const log = openSync(logFile, 'a');
  const child = spawn(
    binary,
    [
      `--host=unix://${socket}`,
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'dockerd.pid')}`,
      '--storage-driver=vfs',
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
    ],
    { stdio: ['ignore', log, log], detached: true },
  );
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dockerd did not start (exit ${child.exitCode}). Last log lines:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    socket,
    dir,
    /** Stops the daemon but keeps its directory, to start it again with startDockerd({ dir }). */
    async pause() {
      await stopProcess(child);
    },
    async stop() {
      await stopProcess(child);
      try {
        execFileSync('umount', ['-R', join(dir, 'exec')], { stdio: 'ignore' });
      } catch {
        // nothing was mounted
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds a tiny image from the host's static busybox and imports it (no registry is reachable):
 * the image tests and the demo run containers from.
 */
export async function importBusyboxImage(socket, ref = 'unraid-mcp-test/busybox:latest') {
  const { mkdtempSync, mkdirSync, copyFileSync, symlinkSync, writeFileSync, rmSync } =
    await import('node:fs');
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox is not installed: apt-get install -y busybox-static');
  const root = mkdtempSync(join(tmpdir(), 'umcp-rootfs-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'etc'));
  copyFileSync(busybox, join(root, 'bin/busybox'));
  for (const a of ['sh', 'echo', 'sleep', 'cat', 'ls', 'seq', 'yes', 'head', 'true'])
    symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  const [repo, tag] = ref.split(':');
  const changes = ['CMD ["/bin/sh"]', 'ENV PATH=/bin']
    .map((c) => `changes=${encodeURIComponent(c)}`)
    .join('&');
  const path = `/images/create?fromSrc=-&repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag ?? 'latest')}&${changes}`;
  try {
    await new Promise((resolve, reject) => {
      const tar = spawn('tar', ['-C', root, '--owner=0', '--group=0', '-cf', '-', '.'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const req = request(
        { socketPath: socket, method: 'POST', path, headers: { 'Content-Type': 'application/x-tar' } },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () =>
            res.statusCode === 200 && !body.includes('"error"')
              ? resolve()
              : reject(new Error(`image import failed: ${res.statusCode} ${body.slice(0, 300)}`)),
          );
        },
      );
      req.on('error', reject);
      tar.stdout.pipe(req);
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return ref;
}
