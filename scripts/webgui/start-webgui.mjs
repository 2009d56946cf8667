// The page harness: serves plugin/usr/local/emhttp (the .page files and the PHP bridge) and the built
// app (dist/webui at /plugins/unraid-mcp/assets/) the way Unraid does — Debian's nginx (with nchan)
// in front of php-fpm, a CSRF prepend on every PHP request, a login in front of everything — from a
// private temporary folder on 127.0.0.1. Used by the demo and by the browser tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nginxConf, fpmConf } from './webgui-conf.mjs';

const root = resolve(import.meta.dirname, '../..');
const here = import.meta.dirname;
const PLUGIN_DIR = join(root, 'plugin/usr/local/emhttp/plugins/unraid-mcp');
const DEFAULT_VAR_INI = join(root, 'testdata/emhttp/parity-check-running/var.ini');

export function phpFpmBinary() {
  const dir = '/usr/sbin';
  const found = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^php-fpm\d+(\.\d+)?$/.test(f))
        .sort()
    : [];
  return found.length ? join(dir, found.at(-1)) : null;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** var.ini from a fixture with a fresh random csrf_token (a real one is 16 hex digits). */
function writeVarIni(from, to) {
  const token = randomBytes(8).toString('hex').toUpperCase();
  const text = readFileSync(from, 'utf8');
  const lines = text.split('\n').filter((l) => !l.startsWith('csrf_token='));
  writeFileSync(to, [...lines.filter(Boolean), `csrf_token="${token}"`, ''].join('\n'));
  return token;
}

function link(target, path) {
  mkdirSync(resolve(path, '..'), { recursive: true });
  symlinkSync(target, path);
}

/** The docroot Unraid would have: our plugin folder with the built app as assets/, plus the harness's own pages. */
function assembleDocroot(docroot, distDir) {
  const plugin = join(docroot, 'plugins/unraid-mcp');
  mkdirSync(plugin, { recursive: true });
  for (const entry of readdirSync(PLUGIN_DIR)) link(join(PLUGIN_DIR, entry), join(plugin, entry));
  link(distDir, join(plugin, 'assets'));
  for (const php of ['render-page.php', 'unraid-helpers.php', 'harness-session.php'])
    link(join(here, 'php', php), join(docroot, 'webGui', php));
  link(join(here, 'styles'), join(docroot, 'webGui/styles'));
  for (const php of ['login.php', 'auth-request.php']) link(join(here, 'php', php), join(docroot, php));
}

async function waitFor(check, what, timeoutMs, logs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const tail = logs
    .map((f) => (existsSync(f) ? `--- ${f}\n${readFileSync(f, 'utf8').slice(-2000)}` : ''))
    .join('\n');
  throw new Error(`the page harness's ${what} did not start within ${timeoutMs} ms\n${tail}`);
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts nginx + php-fpm serving the page. `adminSocket` is the sidecar's admin socket (it may not
 * exist yet: the page then says the service is not running); `rcScript` is what the page's Start
 * button runs; `varIni` a var.ini fixture (its csrf_token is replaced by a random one).
 * @param {{ adminSocket: string, port?: number, rcScript?: string, varIni?: string, distDir?: string, password?: string, csrfPrepend?: boolean }} opts
 */
export async function startWebgui(opts) {
  const fpm = phpFpmBinary();
  if (!fpm || !existsSync('/usr/sbin/nginx'))
    throw new Error(
      'nginx and php-fpm are needed for the page harness: apt-get install -y nginx-light libnginx-mod-nchan php-fpm php-cli',
    );
  const dir = mkdtempSync(join(tmpdir(), 'umcp-webgui-'));
  const paths = {
    dir,
    docroot: join(dir, 'docroot'),
    varIni: join(dir, 'state/var.ini'),
    socketLink: join(dir, 'run/admin.sock'),
    fpmSocket: join(dir, 'fpm.sock'),
    fpmLog: join(dir, 'fpm.log'),
    nginxLog: join(dir, 'nginx-error.log'),
    sessions: join(dir, 'sessions'),
    // Without the prepend the bridge's own CSRF check is the only one (a test of that check).
    prepend: opts.csrfPrepend === false ? '' : join(here, 'php/csrf-prepend.php'),
  };
  for (const d of ['state', 'run', 'sessions', 'tmp']) mkdirSync(join(dir, d), { recursive: true });
  assembleDocroot(paths.docroot, opts.distDir ?? join(root, 'dist/webui'));
  const csrfToken = writeVarIni(opts.varIni ?? DEFAULT_VAR_INI, paths.varIni);
  symlinkSync(opts.adminSocket, paths.socketLink);
  const login = { user: 'root', password: opts.password ?? randomBytes(9).toString('base64url') };
  const port = opts.port || (await freePort());
  const asRoot = process.getuid?.() === 0;

  writeFileSync(join(dir, 'fpm.conf'), fpmConf({ ...paths, rcScript: opts.rcScript ?? '', login, asRoot }));
  writeFileSync(join(dir, 'nginx.conf'), nginxConf({ ...paths, port, asRoot }));
  const children = [];
  // nginx and php-fpm outlive a Node process that dies without stop(): kill them when it exits.
  const onExit = () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Their own error logs are in the folder; what they print before opening them goes to start.log.
    const startLog = join(dir, 'start.log');
    const quiet = () => ({ stdio: ['ignore', openSync(startLog, 'a'), openSync(startLog, 'a')] });
    children.push(spawn(fpm, [...(asRoot ? ['-R'] : []), '-F', '-y', join(dir, 'fpm.conf')], quiet()));
    await waitFor(async () => existsSync(paths.fpmSocket), 'php-fpm', 10_000, [startLog, paths.fpmLog]);
    children.push(spawn('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], quiet()));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/login`)).status === 200, 'nginx', 10_000, [
      paths.nginxLog,
      paths.fpmLog,
    ]);
    return {
      url,
      pageUrl: `${url}/Settings/UnraidMCP`,
      dashboardUrl: `${url}/Dashboard`,
      apiUrl: `${url}/plugins/unraid-mcp/include/api.php`,
      login,
      csrfToken,
      dir,
      /** Points the bridge at another admin socket (a stopped or hanging sidecar), or back. */
      useAdminSocket(path) {
        unlinkSync(paths.socketLink);
        symlinkSync(path, paths.socketLink);
      },
      /** Logs in through the form and returns the session's Cookie header value. */
      async sessionCookie() {
        const res = await fetch(`${url}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username: login.user, password: login.password }).toString(),
        });
        const cookie = res.headers.get('set-cookie');
        if (res.status !== 302 || !cookie) throw new Error(`the harness login answered ${res.status}`);
        return cookie.split(';')[0];
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
