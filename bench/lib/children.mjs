// Child processes and temp dirs for benches, with cleanup that also runs on errors and Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set();
const tempDirs = new Set();

/** A temp dir that is removed on exit. */
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Kills every child still running and removes temp dirs. Synchronous, so it is safe in 'exit'. */
export function cleanupAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Runs cleanupAll on normal exit, on SIGINT/SIGTERM (exit 130/143) and before a crash exits. */
export function installCleanupHandlers() {
  process.on('exit', cleanupAll);
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ]) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping children and removing temp dirs\n`);
      cleanupAll();
      process.exit(code);
    });
  }
}

/** A TCP port that was free a moment ago (for servers that cannot listen on port 0 and report it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion and returns its stdout; rejects with stderr on a non-zero exit. */
export function runToCompletion(command, args, { env, cwd }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err.trim()}`)),
    );
  });
}

function tail(path, lines = 15) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Spawns a server and resolves once `readyPattern` matches a line on `readyOn` (stdout or stderr).
 * The other stream goes straight to `logPath` (a file, so the load generator spends no CPU reading
 * it); the ready stream is copied there too. `readyMs` is spawn() → ready line, measured here.
 */
export function startServer({
  name,
  command,
  args,
  env,
  cwd,
  readyOn,
  readyPattern,
  logPath,
  timeoutMs = 15_000,
}) {
  const logFd = openSync(logPath, 'a');
  const stdio = readyOn === 'stdout' ? ['ignore', 'pipe', logFd] : ['ignore', logFd, 'pipe'];
  const started = performance.now();
  const child = spawn(command, args, { env, cwd, stdio });
  closeSync(logFd); // the child holds its own copy
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => children.delete(child));

  return new Promise((resolve, reject) => {
    const stream = child[readyOn];
    let buf = '';
    let ready = false;
    const timer = setTimeout(() => fail(`did not print its ready line within ${timeoutMs} ms`), timeoutMs);
    function fail(why) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new Error(`${name} ${why}. Last log lines (${logPath}):\n${tail(logPath)}\n${buf.slice(-2000)}`),
      );
    }
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      if (ready) return; // keep draining so the child never blocks on a full pipe
      buf += chunk;
      const match = readyPattern.exec(buf);
      if (!match) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        name,
        child,
        pid: child.pid,
        readyMs: performance.now() - started,
        match,
        logPath,
        exited,
        stop: (signal = 'SIGTERM', waitMs = 10_000) => stopChild(child, exited, signal, waitMs),
      });
    });
    child.once('error', (err) => fail(`could not be started: ${err.message}`));
    exited.then(({ code, signal }) => {
      if (!ready) fail(`exited before it was ready (code ${code}, signal ${signal})`);
    });
  });
}

/** Sends `signal`, waits for exit (SIGKILL after waitMs) and returns { code, signal, ms, killed }. */
async function stopChild(child, exited, signal, waitMs) {
  const t0 = performance.now();
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
  const first = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (first === 'timeout') {
    child.kill('SIGKILL');
    const res = await exited;
    return { ...res, ms: performance.now() - t0, killed: true };
  }
  return { ...first, ms: performance.now() - t0, killed: false };
}

/**
 * Runs a bench's main(): children and temp dirs are cleaned up either way; a failure prints its
 * message (the stack unless it was an expected, explained failure) and exits 1.
 */
export function runBench(name, main) {
  main().then(
    () => {
      cleanupAll();
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`\n${name} bench failed: ${err?.expected ? err.message : (err?.stack ?? err)}\n`);
      cleanupAll();
      process.exit(1);
    },
  );
}
