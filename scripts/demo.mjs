#!/usr/bin/env node
// The README's first command: installs what it needs, builds, creates a demo token and runs the
// sidecar on 127.0.0.1 against the fixtures in testdata/ (host health from a plausible Unraid server
// with a parity check running), with a private real Docker Engine when one can be started, and the
// WebGUI page served as Unraid serves it (nginx + php-fpm on 127.0.0.1, a demo login) next to it.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { connect } from 'node:net';
import { resolve, join } from 'node:path';
import { ensureSystemPackages } from './ensure-system-packages.mjs';
import { npmInstallIfNeeded } from './npm-install.mjs';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);
// System packages first: `npm ci` builds @unraid/libvirt against libvirt-dev (pkg-config, g++).
const haveDockerPackages = ensureSystemPackages({ required: false });
npmInstallIfNeeded();
execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });

const { startDockerd, importBusyboxImage } = await import('./dockerd.mjs');
const { startWebgui } = await import('./webgui/start-webgui.mjs');

/** A few containers so the Docker tools have something to show: one running, one protected, one exited. */
async function seedDemoContainers(socket) {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker({ socketPath: socket });
  const image = await importBusyboxImage(socket);
  const make = async (name, cmd, labels = {}) => {
    const c = await docker.createContainer({
      name,
      Image: image,
      Cmd: cmd,
      Labels: labels,
      HostConfig: { NetworkMode: 'none', Init: true },
    });
    await c.start();
    return c;
  };
  await make('web', ['sh', '-c', 'while true; do echo "level=info GET / 200"; sleep 5; done']);
  await make('database', ['sleep', '1000000'], { 'unraid-mcp.protected': 'true' });
  const job = await make('backup-job', ['sh', '-c', 'echo "level=error backup target not mounted"; exit 1']);
  await job.wait();
}

/**
 * The unraid toolset's host files, from the committed samples: a syslog, a parity history, plugins, and
 * copies of the notification and User Scripts folders (the tools change those). No emhttpd here, so
 * the parity, array and spin tools say they cannot reach it.
 */
function unraidSamples() {
  const samples = join(root, 'testdata/unraid');
  const copy = (from, to) => {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
    return to;
  };
  const notifications = copy(join(samples, 'notifications'), join(demo, 'notifications'));
  mkdirSync(join(demo, 'dynamix'), { recursive: true });
  writeFileSync(join(demo, 'dynamix/dynamix.cfg'), `[notify]\npath="${notifications}"\n`);
  // The plugin manager lists installed plugins as links to the .plg files on the flash drive.
  const plugins = join(demo, 'plugins');
  rmSync(plugins, { recursive: true, force: true });
  mkdirSync(plugins, { recursive: true });
  for (const f of readdirSync(join(samples, 'plugins/boot')))
    symlinkSync(join(samples, 'plugins/boot', f), join(plugins, f));
  return {
    UNRAID_MCP_SYSLOG: join(samples, 'syslog'),
    UNRAID_MCP_PARITY_LOG: join(samples, 'parity-checks.log'),
    UNRAID_MCP_EMHTTPD_SOCKET: join(demo, 'no-emhttpd.sock'),
    UNRAID_MCP_DYNAMIX_CFG: join(demo, 'dynamix/dynamix.cfg'),
    UNRAID_MCP_NOTIFY_SCRIPT: join(demo, 'no-notify-script'),
    UNRAID_MCP_PLUGINS_DIR: plugins,
    UNRAID_MCP_PLUGINS_CHECKED_DIR: join(samples, 'plugins/checked'),
    UNRAID_MCP_USER_SCRIPTS_DIR: copy(join(samples, 'user.scripts/boot'), join(demo, 'user.scripts')),
    UNRAID_MCP_USER_SCRIPTS_TMP_DIR: copy(join(samples, 'user.scripts/tmp'), join(demo, 'user.scripts-tmp')),
    UNRAID_MCP_SMARTCTL: join(demo, 'no-smartctl'),
    UNRAID_MCP_NVIDIA_SMI: join(demo, 'no-nvidia-smi'),
    UNRAID_MCP_APCUPSD_ADDR: '127.0.0.1:1',
    UNRAID_MCP_NUT_ADDR: '127.0.0.1:1',
  };
}

/** A self-signed bundle named as Unraid names its own (key and certificate in one file), for HTTPS. */
function makeSelfSignedCertificate(dir) {
  const bundle = join(dir, `${hostname()}_unraid_bundle.pem`);
  if (existsSync(bundle)) return;
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '365',
        '-subj',
        `/CN=${hostname()}`,
        '-addext',
        `subjectAltName=DNS:${hostname()},DNS:localhost,IP:127.0.0.1`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(
      bundle,
      readFileSync(join(dir, 'cert.pem'), 'utf8') + readFileSync(join(dir, 'key.pem'), 'utf8'),
    );
  } catch {
    console.warn('openssl is missing: the demo runs without HTTPS (the Connect view says why).');
  } finally {
    rmSync(join(dir, 'key.pem'), { force: true });
    rmSync(join(dir, 'cert.pem'), { force: true });
  }
}

function adminSocketAnswers(path) {
  return new Promise((resolve) => {
    const sock = connect(path);
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}
const demo = join(root, '.demo');
const port = process.env.UNRAID_MCP_PORT ?? '8765';
const env = {
  ...process.env,
  UNRAID_MCP_HOST: '127.0.0.1',
  UNRAID_MCP_PORT: port,
  UNRAID_MCP_CONFIG_DIR: join(demo, 'config'),
  UNRAID_MCP_STATE_DIR: join(demo, 'state'),
  UNRAID_MCP_AUDIT_DIR: join(demo, 'audit'),
  UNRAID_MCP_PROC_ROOT: join(root, 'testdata/proc'),
  UNRAID_MCP_SYS_ROOT: join(root, 'testdata/sys'),
  UNRAID_MCP_EMHTTP_ROOT: join(root, 'testdata/emhttp/parity-check-running'),
  // libvirt's test driver on the committed node: seven VMs (running, paused, shut off, crashed), in memory.
  LIBVIRT_URI: `test://${join(root, 'testdata/libvirt/node.xml')}`,
  UNRAID_MCP_VM_DOMAINS_DIR: join(demo, 'domains'),
  UNRAID_MCP_VM_ISO_DIR: join(demo, 'isos'),
  UNRAID_MCP_ADMIN_SOCKET: join(demo, 'admin.sock'),
  UNRAID_MCP_AUDIT_RAM_DIR: join(demo, 'audit-ram'),
  UNRAID_MCP_AUDIT_PERSISTENT_DIR: join(demo, 'audit'),
  ...unraidSamples(),
  UNRAID_MCP_CERTS_DIR: join(demo, 'certs'),
};
for (const dir of [env.UNRAID_MCP_CONFIG_DIR, env.UNRAID_MCP_VM_DOMAINS_DIR, env.UNRAID_MCP_VM_ISO_DIR])
  mkdirSync(dir, { recursive: true });
// The demo shows every toolset, the unraid one too (off by default on a real server).
const demoCfg = join(env.UNRAID_MCP_CONFIG_DIR, 'unraid-mcp.cfg');
if (!existsSync(demoCfg)) writeFileSync(demoCfg, 'TOOLSETS="system,docker,vm,unraid"\n');
makeSelfSignedCertificate(env.UNRAID_MCP_CERTS_DIR);

// One demo at a time: a second one would replace the first one's token and then fail on the socket.
if (await adminSocketAnswers(env.UNRAID_MCP_ADMIN_SOCKET)) {
  console.error('A demo is already running (its admin socket answers). Stop it with Ctrl-C first.');
  process.exit(1);
}

let dockerd = null;
if (haveDockerPackages && process.getuid?.() === 0) {
  try {
    dockerd = await startDockerd();
    env.DOCKER_HOST = `unix://${dockerd.socket}`;
    await seedDemoContainers(dockerd.socket);
  } catch (err) {
    console.warn(`Docker Engine could not be started, continuing without it: ${err.message.split('\n')[0]}`);
  }
}
if (!dockerd) env.DOCKER_HOST = `unix://${join(demo, 'no-docker.sock')}`;

const cli = (args) =>
  execFileSync(process.execPath, ['dist/server/main.js', ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
try {
  cli(['token', 'revoke', 'demo']);
} catch {
  // no previous demo token
}
const secret = cli(['token', 'create', '--name', 'demo', '--scope', 'admin', '--expires', '7d'])
  .trimEnd()
  .split('\n')
  .pop();
const url = `http://127.0.0.1:${port}/mcp`;
const webguiPort = Number(process.env.UNRAID_MCP_WEBGUI_PORT ?? '8766');

/**
 * The WebGUI page in front of the demo's admin socket. Its Start button runs an rc script; the demo's
 * sidecar is this process's child, so the demo's script only says how to start it again.
 */
async function startDemoWebgui() {
  const rcScript = join(demo, 'rc.unraid-mcp');
  writeFileSync(
    rcScript,
    '#!/bin/sh\necho "In the demo the service is started by npm run demo: stop it (Ctrl-C) and run it again."\nexit 1\n',
  );
  chmodSync(rcScript, 0o755);
  try {
    return await startWebgui({ adminSocket: env.UNRAID_MCP_ADMIN_SOCKET, port: webguiPort, rcScript });
  } catch (err) {
    console.warn(`The WebGUI page could not be served, continuing without it: ${err.message.split('\n')[0]}`);
    return null;
  }
}
// Started once the sidecar is ready; a stop during its start waits for it, so nothing is left running.
let webguiStart = Promise.resolve(null);

const sidecar = spawn(process.execPath, ['dist/server/main.js', 'serve'], {
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});
sidecar.stdout.on('data', async (chunk) => {
  process.stdout.write(chunk);
  if (!chunk.toString().includes('unraid-mcp ready')) return;
  webguiStart = startDemoWebgui();
  const webgui = await webguiStart;
  const page = webgui
    ? `${webgui.pageUrl}\n          log in as ${webgui.login.user} / ${webgui.login.password} (set UNRAID_MCP_WEBGUI_PORT for another port); the dashboard tile: ${webgui.dashboardUrl}`
    : 'not served (nginx and php-fpm are needed; see above)';
  const headers = { Authorization: `Bearer ${secret}` };
  const exports = [
    'UNRAID_MCP_CONFIG_DIR',
    'UNRAID_MCP_STATE_DIR',
    'UNRAID_MCP_AUDIT_DIR',
    'UNRAID_MCP_ADMIN_SOCKET',
  ]
    .map((k) => `${k}=${env[k]}`)
    .join(' ');
  console.log(`
MCP URL:  ${url}
Token:    ${secret}
VMs:      libvirt's test driver with seven VMs from testdata/libvirt/node.xml (changes last until the demo stops)
Docker:   ${dockerd ? 'a private Docker Engine with containers web, database (protected) and backup-job (exited)' : 'not available (reported by /readyz)'}
WebGUI:   ${page}

Cursor (~/.cursor/mcp.json) and other clients that take "mcpServers":
${JSON.stringify({ mcpServers: { unraid: { url, headers } } }, null, 2)}

VS Code (.vscode/mcp.json):
${JSON.stringify({ servers: { unraid: { type: 'http', url, headers } } }, null, 2)}

Claude Code:
  claude mcp add --transport http unraid ${url} --header "Authorization: Bearer ${secret}"

Try it:  curl -s http://127.0.0.1:${port}/readyz
Operator commands on the demo's files and service:
  export ${exports}
  npx unraid-mcp token list
  npx unraid-mcp confirm list
  npx unraid-mcp audit verify
  curl -s --unix-socket ${env.UNRAID_MCP_ADMIN_SOCKET} http://localhost/api/status
Stop with Ctrl-C.`);
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  sidecar.kill('SIGTERM');
  await new Promise((r) => (sidecar.exitCode !== null ? r() : sidecar.once('exit', r)));
  await Promise.all([dockerd?.stop(), webguiStart.then((w) => w?.stop())]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
sidecar.on('exit', (code) => {
  if (!stopping) {
    console.error(`the sidecar exited with code ${code}`);
    void Promise.all([dockerd?.stop(), webguiStart.then((w) => w?.stop())]).then(() =>
      process.exit(code ?? 1),
    );
  }
});
