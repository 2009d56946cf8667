// Starts a real libvirtd with the QEMU driver (and virtlogd when none answers) for the test suite:
// root, TCG guests (`<domain type="qemu">`, no KVM needed), the client sockets in a private temp
// directory, logs in files there. Throws (with the daemon's log) when it cannot start.
//
// What cannot be private: a privileged libvirtd keeps its drivers' state in fixed places —
// /run/libvirt/<driver>/ (with the per-machine driver lock /run/libvirt/qemu/driver.pid, so only one
// QEMU driver runs per machine), /var/lib/libvirt, /var/log/libvirt/qemu, persistent domain XML in
// /etc/libvirt/qemu/, settings in /etc/libvirt/qemu.conf, and the virtlogd socket
// /run/libvirt/virtlogd-sock. Only the client sockets (`unix_sock_dir`) can move, so the URI names
// its socket: qemu:///system?socket=<dir>/libvirt-sock. Tests undefine what they define.
//
// The daemons are found by the pid files in the directory (checked against /proc/<pid>/cmdline, which
// names the directory), so any process holding the directory can kill and restart libvirtd — a test
// that simulates a crash — and a detached watchdog kills them when the process that started them dies
// without stopping them.
import { spawn, execFile, execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
  copyFileSync,
  rmSync,
  existsSync,
  openSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';

const LIBVIRTD = '/usr/sbin/libvirtd';
const VIRTLOGD = '/usr/sbin/virtlogd';
const VIRTLOGD_SOCKET = '/run/libvirt/virtlogd-sock';
export const QEMU_CONF_PATH = '/etc/libvirt/qemu.conf';
/** Guests run as root with no relabelling and no security driver: what works in a container. */
export const QEMU_CONF =
  'user = "root"\ngroup = "root"\ndynamic_ownership = 0\nremember_owner = 0\nsecurity_driver = "none"\n';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function libvirtdBinary() {
  return existsSync(LIBVIRTD) ? LIBVIRTD : null;
}

/** The URI of the libvirtd whose sockets are in `dir`. */
export function libvirtUri(dir) {
  return `qemu:///system?socket=${join(dir, 'libvirt-sock')}`;
}

function readPid(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Alive and not a zombie (PID 1 here does not reap orphans). */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** The pid in `dir`/`name`.pid when that process is alive and was started on `dir`. */
function daemonPid(dir, name) {
  const pid = readPid(join(dir, `${name}.pid`));
  return pid && alive(pid) && cmdline(pid).includes(`${dir}/`) ? pid : null;
}

async function waitDead(pid, ms) {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

async function terminate(pid) {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitDead(pid, 10_000)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await waitDead(pid, 5_000);
}

function tail(file, lines = 15) {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
}

function virshUri(uri) {
  return new Promise((resolve) => {
    execFile('virsh', ['-c', uri, 'uri'], { timeout: 5_000 }, (err, stdout) =>
      resolve(!err && stdout.trim() === uri),
    );
  });
}

function socketAnswers(path) {
  return new Promise((resolve) => {
    const sock = connect(path);
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}

/**
 * The process holding one of the per-machine libvirt driver locks (/run/libvirt/<driver>/driver.pid),
 * if it is not ours: a second libvirtd cannot start while one runs.
 */
function otherDriverHolder(dir) {
  const base = '/run/libvirt';
  for (const driver of ['qemu', 'network', 'storage', 'nodedev', 'secrets', 'nwfilter', 'interface']) {
    const pid = readPid(join(base, driver, 'driver.pid'));
    if (!pid || !alive(pid)) continue;
    const cmd = cmdline(pid);
    if (
      !/(^|\/)(libvirtd|virtqemud|virtnetworkd|virtstoraged)( |$)/.test(cmd.split(' ')[0] ?? '') ||
      cmd.includes(`${dir}/`)
    )
      continue;
    return { pid, cmd, lock: join(base, driver, 'driver.pid') };
  }
  return null;
}

function anotherLibvirtdError(holder, lock = holder?.lock ?? '/run/libvirt/qemu/driver.pid') {
  const who = holder ? ` (pid ${holder.pid}: ${holder.cmd})` : '';
  return (
    `another libvirtd already runs on this machine${who} and holds ${lock}: only one QEMU driver can run per machine. ` +
    'If its config is under a umcp-libvirtd-* temp directory it belongs to another test run: wait for that to end. ' +
    'Otherwise stop that libvirtd first'
  );
}

/** The settings in QEMU_CONF, written only when they differ; a differing original is kept next to it. */
export function ensureQemuConf() {
  const current = existsSync(QEMU_CONF_PATH) ? readFileSync(QEMU_CONF_PATH, 'utf8') : null;
  if (current === QEMU_CONF) return;
  mkdirSync('/etc/libvirt', { recursive: true });
  if (current !== null) {
    const backup = `${QEMU_CONF_PATH}.before-unraid-mcp`;
    copyFileSync(QEMU_CONF_PATH, existsSync(backup) ? `${backup}.${Date.now()}` : backup);
  }
  writeFileSync(QEMU_CONF_PATH, QEMU_CONF);
}

/** The QEMU driver looks up its build-time default user and group even when qemu.conf says root. */
function ensureQemuUser() {
  const has = (db, name) => {
    try {
      execFileSync('getent', [db, name], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!has('group', 'libvirt-qemu')) execFileSync('groupadd', ['-r', 'libvirt-qemu'], { stdio: 'inherit' });
  if (!has('passwd', 'libvirt-qemu')) {
    execFileSync(
      'useradd',
      ['-r', '-g', 'libvirt-qemu', '-d', '/var/lib/libvirt', '-s', '/usr/sbin/nologin', 'libvirt-qemu'],
      { stdio: 'inherit' },
    );
  }
}

function writeLibvirtdConf(dir) {
  const q = (s) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  writeFileSync(
    join(dir, 'libvirtd.conf'),
    [
      `unix_sock_dir = ${q(dir)}`,
      'unix_sock_ro_perms = "0700"',
      'unix_sock_rw_perms = "0700"',
      'unix_sock_admin_perms = "0700"',
      'auth_unix_ro = "none"',
      'auth_unix_rw = "none"',
      'listen_tcp = 0',
      'listen_tls = 0',
      // stderr goes to libvirtd.log (which also catches a crash's last words)
      'log_outputs = "3:stderr"',
      '',
    ].join('\n'),
  );
}

function spawnDaemon(binary, args, logFile) {
  const log = openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  child.unref();
  return child;
}

/** Starts virtlogd unless one answers on its fixed socket; records its pid in `dir` when we started it. */
async function ensureVirtlogd(dir, deadline) {
  if (await socketAnswers(VIRTLOGD_SOCKET)) return;
  const logFile = join(dir, 'virtlogd.log');
  const child = spawnDaemon(VIRTLOGD, ['--pid-file', join(dir, 'virtlogd.pid')], logFile);
  while (!(await socketAnswers(VIRTLOGD_SOCKET))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`virtlogd did not start (exit ${child.exitCode}). Last log lines:\n${tail(logFile)}`);
    }
    await sleep(20);
  }
}

/**
 * Starts libvirtd on `dir` (its config and sockets there) and waits until `virsh uri` answers. Throws
 * with the last log lines, or says so when another libvirtd holds the machine's driver locks.
 */
export async function launchLibvirtd(dir, { timeoutMs = 30_000 } = {}) {
  const uri = libvirtUri(dir);
  if (daemonPid(dir, 'libvirtd') && (await virshUri(uri))) return;
  const holder = otherDriverHolder(dir);
  if (holder) throw new Error(`libvirtd cannot start: ${anotherLibvirtdError(holder)}`);
  const deadline = Date.now() + timeoutMs;
  await ensureVirtlogd(dir, deadline);
  const logFile = join(dir, 'libvirtd.log');
  const child = spawnDaemon(
    LIBVIRTD,
    ['--config', join(dir, 'libvirtd.conf'), '--pid-file', join(dir, 'libvirtd.pid')],
    logFile,
  );
  while (!(await virshUri(uri))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = tail(logFile);
      const lock = /Failed to acquire pid file '(\/run\/libvirt\/[^']+)'/.exec(log)?.[1];
      const why = lock ? anotherLibvirtdError(otherDriverHolder(dir), lock) : 'see the log';
      throw new Error(
        `libvirtd did not start (exit ${child.exitCode}): ${why}. Last log lines of ${logFile}:\n${log}`,
      );
    }
    await sleep(50);
  }
}

/** SIGKILLs libvirtd only (a crash: guests and virtlogd keep running); resolves once it is gone. */
export async function killLibvirtd(dir) {
  const pid = daemonPid(dir, 'libvirtd');
  if (!pid) return;
  process.kill(pid, 'SIGKILL');
  if (!(await waitDead(pid, 5_000))) throw new Error(`libvirtd (pid ${pid}) survived SIGKILL`);
}

/**
 * Stops the virtlogd we started, then libvirtd (SIGTERM, SIGKILL after 10 s). Guests are left as they
 * are. virtlogd first: while libvirtd still holds the driver lock no other run can start and adopt a
 * virtlogd that is about to go away.
 */
export async function stopLibvirtdDaemons(dir) {
  await terminate(daemonPid(dir, 'virtlogd'));
  await terminate(daemonPid(dir, 'libvirtd'));
}

// Waits for its stdin to close (the process that started it ended, however), then kills the daemons
// found by their pid files in the directory and removes it.
const WATCHDOG = `
const { readFileSync, rmSync } = require('node:fs');
const dir = process.argv[1];
process.stdin.resume();
process.stdin.on('close', () => {
  for (const name of ['virtlogd', 'libvirtd']) {
    try {
      const pid = Number(readFileSync(dir + '/' + name + '.pid', 'utf8').trim());
      if (pid > 0 && readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes(dir + '/')) process.kill(pid, 'SIGKILL');
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
});
`;

/**
 * Control of the libvirtd on `dir` from any process (the one that started it, or a test): kill() is a
 * crash, start() brings it back on the same sockets (a no-op while it runs).
 * @returns {{ uri: string, dir: string, kill(): Promise<void>, start(): Promise<void> }}
 */
export function attachLibvirtd(dir) {
  return {
    uri: libvirtUri(dir),
    dir,
    kill: () => killLibvirtd(dir),
    start: () => launchLibvirtd(dir),
  };
}

/** @returns {Promise<{ uri: string, dir: string, kill(): Promise<void>, start(): Promise<void>, stop(): Promise<void> }>} */
export async function startLibvirtd({ timeoutMs = 30_000, dir: reuse } = {}) {
  if (!libvirtdBinary())
    throw new Error(
      'libvirtd is not installed: apt-get install -y --no-install-recommends libvirt-daemon libvirt-clients qemu-system-x86 qemu-utils',
    );
  if (process.getuid?.() !== 0) throw new Error('libvirtd with the QEMU driver must run as root');
  ensureQemuUser();
  ensureQemuConf();
  const dir = reuse ?? mkdtempSync(join(tmpdir(), 'umcp-libvirtd-'));
  writeLibvirtdConf(dir);
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  watchdog.stdin.on('error', () => {});
  watchdog.stdin.unref();
  const stop = async () => {
    watchdog.kill('SIGKILL');
    await stopLibvirtdDaemons(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await launchLibvirtd(dir, { timeoutMs });
  } catch (err) {
    await stop();
    throw err;
  }
  return { ...attachLibvirtd(dir), stop };
}
