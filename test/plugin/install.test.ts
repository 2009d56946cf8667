// The plugin's whole life on a scratch Unraid: the .plg installed by the plugin manager from a release
// page, the service it starts (rc script) used by a real MCP client and by the page's PHP bridge, the
// array stopping and starting under it, a reboot, an update, a refused downgrade and the removal.
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebgui, type Webgui } from '../../scripts/webgui/start-webgui.mjs';
import { bridgeClient } from '../webgui/bridge-client.js';
import { verifyChain } from './audit-chain.js';
import { buildPackageInto, REPO, type PackageBuild } from './package-build.js';
import { ReleaseServer } from './release-server.js';
import { filesFor, parsePlg } from './plg-parser.js';
import { CLI, freePort, PLUGDIR, RC, UnraidServer, withMcpClient } from './unraid-server.js';

const run = promisify(execFile);
const PLG = 'unraid-mcp.plg';
const LIB = '/usr/local/lib/unraid-mcp';
const PAGE = '/usr/local/emhttp/plugins/unraid-mcp';

let work: string;
let releases: ReleaseServer;
let older: PackageBuild;
let newer: PackageBuild;
let server: UnraidServer;
let port: number;
let mcpUrl: string;
let secret: string;
const flashDir = () => join(work, 'flash');
const arrayDir = () => join(work, 'array');
const auditDir = () => join(arrayDir(), 'appdata/unraid-mcp/audit');
const ownerCfg = () => `# the owner's settings\nPORT="${port}"\nBIND="127.0.0.1"\n`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'umcp-install-'));
  releases = await ReleaseServer.start();
  const { stdout } = await run('git', ['log', '-1', '--format=%ct'], { cwd: REPO });
  const epoch = Number(stdout.trim());
  const env = { UNRAID_MCP_RELEASES_URL: releases.base };
  older = await buildPackageInto(join(work, 'build-older'), { ...env, SOURCE_DATE_EPOCH: String(epoch) });
  newer = await buildPackageInto(join(work, 'build-newer'), {
    ...env,
    SOURCE_DATE_EPOCH: String(epoch + 3600),
  });
  await releases.publish(newer, { latest: false });
  await releases.publish(older);
  port = await freePort();
  mcpUrl = `http://127.0.0.1:${port}/mcp`;
}, 300_000);

afterAll(async () => {
  await server?.machine.powerOff();
  await releases?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('refused before anything changes', () => {
  it('an Unraid older than min: the plugin manager and the .plg both say why, nothing is fetched or installed', async () => {
    const old = await UnraidServer.boot({
      dir: join(work, 'm-old'),
      flashDir: join(work, 'flash-old'),
      arrayDir: join(work, 'array-old'),
      unraidVersion: '6.11.5',
    });
    try {
      const r = await old.plugins.install(`${releases.base}/latest/download/${PLG}`);
      expect(r.code).toBe(1);
      expect(r.output).toContain('installed Unraid version is too low, require at least version 6.12.0');
      // The .plg's own check, for a plugin manager that does not compare `min` (its first step).
      const plg = parsePlg((await old.machine.read(`/tmp/plugins/${PLG}`))!);
      await old.machine.write('/tmp/step1.sh', filesFor(plg, 'install')[0]!.INLINE!);
      const step = await old.machine.run('bash', ['/tmp/step1.sh']);
      expect(step.code).toBe(1);
      expect(step.stdout).toContain(
        `unraid-mcp ${older.version} needs Unraid 6.12.0 or newer; this server runs 6.11.5.`,
      );
      await expectNothingInstalled(old);
      expect(await old.machine.exists(`${PLUGDIR}/${older.package}`)).toBe(false);
    } finally {
      await old.machine.powerOff();
    }
  });
});

describe('a package that cannot be had', () => {
  beforeAll(async () => {
    server = await UnraidServer.boot({
      dir: join(work, 'machine'),
      flashDir: flashDir(),
      arrayDir: arrayDir(),
    });
    await server.startArray();
    // The owner's settings, as the Settings page writes them: a port free on this machine, loopback only.
    await run('mkdir', ['-p', join(flashDir(), 'config/plugins/unraid-mcp')]);
    await writeFile(join(flashDir(), 'config/plugins/unraid-mcp/unraid-mcp.cfg'), ownerCfg());
  });

  it('missing from the release page: the install fails with the reason and leaves nothing half-installed', async () => {
    releases.breakPackage(older, 'missing');
    const r = await server.plugins.install(`${releases.base}/latest/download/${PLG}`);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`${older.package} download failure`);
    await expectNothingInstalled(server);
  });

  it('corrupt on the flash drive and on the release page: the hash mismatch is named, the bad file deleted', async () => {
    await writeFile(join(flashDir(), 'config/plugins/unraid-mcp', older.package), 'not a package');
    releases.breakPackage(older, 'corrupt');
    const r = await server.plugins.install(`${releases.base}/latest/download/${PLG}`);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`bad file SHA256: ${PLUGDIR}/${older.package}`);
    await expectNothingInstalled(server);
    expect(await server.machine.exists(`${PLUGDIR}/${older.package}`)).toBe(false);
    releases.breakPackage(older, null);
  });
});

describe('install and the service', () => {
  it('installs from the release page: package, page, command, service script, and the service started', async () => {
    // A corrupt copy on flash is replaced by a good download (the plugin manager checks the hash).
    await writeFile(join(flashDir(), 'config/plugins/unraid-mcp', older.package), 'not a package');
    const started = Date.now();
    const r = await server.plugins.install(`${releases.base}/latest/download/${PLG}`);
    expect(r.code, r.output).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.output).toMatch(/unraid-mcp started \(pid \d+\)\./);
    expect(r.output).toContain('/Settings/UnraidMCP');
    const m = server.machine;
    expect((await m.run('ls', ['/var/log/packages'])).stdout.trim()).toBe(
      older.package.replace(/\.txz$/, ''),
    );
    expect((await m.run('readlink', [`/var/log/plugins/${PLG}`])).stdout.trim()).toBe(
      `/boot/config/plugins/${PLG}`,
    );
    expect((await m.run('readlink', [RC])).stdout.trim()).toBe(`${LIB}/rc.unraid-mcp`);
    expect((await m.run('stat', ['-c', '%a', `${LIB}/rc.unraid-mcp`])).stdout.trim()).toBe('755');
    expect((await m.run('readlink', [CLI])).stdout.trim()).toBe('../lib/unraid-mcp/bin/unraid-mcp');
    expect(await m.exists(`${PAGE}/UnraidMCP.page`)).toBe(true);
    // What it takes in RAM is what the .plg's free-space check assumes (installedKB, from the build).
    const du = await m.run('du', ['-sk', LIB, PAGE]);
    const installedKB = du.stdout.split('\n').reduce((n, l) => n + (Number(l.split('\t')[0]) || 0), 0);
    expect(Math.abs(installedKB * 1024 - older.installedBytes) / older.installedBytes).toBeLessThan(0.05);
    // The owner's cfg was there first: the .plg's default is never written over it.
    expect(await readFile(join(flashDir(), 'config/plugins/unraid-mcp/unraid-mcp.cfg'), 'utf8')).toBe(
      ownerCfg(),
    );
    // The running sidecar is the packaged Node on the packaged bundle, and the pid file names it.
    const pid = await server.sidecarPid();
    expect(pid).not.toBeNull();
    const inside = (await m.read('/var/run/unraid-mcp.pid'))?.trim();
    expect((await m.run('readlink', [`/proc/${inside}/exe`])).stdout.trim()).toBe(`${LIB}/node/bin/node`);
    expect(await m.read('/var/log/unraid-mcp.log')).toContain('unraid-mcp ready');
  });

  it('runs the package’s own node and loads the libvirt addon with it', async () => {
    const r = await server.machine.run(`${LIB}/node/bin/node`, [
      '--input-type=module',
      '-e',
      `const { ConnectListAllDomainsFlags, Hypervisor } = await import('${LIB}/node_modules/@unraid/libvirt/dist/index.js');
       const h = new Hypervisor({ uri: 'test:///default' });
       await h.connectOpen();
       const names = await Promise.all((await h.connectListAllDomains(ConnectListAllDomainsFlags.ACTIVE)).map((d) => h.domainGetName(d)));
       await h.connectClose();
       console.log(process.version, JSON.stringify(names));`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`v${older.node} ["test"]`);
  });

  it('answers a real MCP client over HTTP with a token made by the installed command line', async () => {
    secret = await server.createToken('install-test');
    await withMcpClient(mcpUrl, secret, async (client) => {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['system_overview', 'docker_list', 'vm_list']),
      );
      const overview = await client.callTool({ name: 'system_overview', arguments: {} });
      expect(overview.isError, JSON.stringify(overview.content)).toBeFalsy();
    });
  });

  it('has one instance: a second start says so, status follows LSB, stop and a second stop succeed', async () => {
    const pid = await server.sidecarPid();
    const again = await server.rc('start');
    expect(again).toMatchObject({
      code: 0,
      stdout: `unraid-mcp is already running (pid ${await inner(pid)}).\n`,
    });
    expect(await server.rc('status')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^unraid-mcp is running \(pid \d+\)\.\n$/),
    });
    const stop = await server.rc('stop');
    expect(stop).toMatchObject({ code: 0, stdout: 'unraid-mcp stopped.\n' });
    expect(await server.sidecarPid()).toBeNull();
    expect(await server.machine.exists('/var/run/unraid-mcp.pid')).toBe(false);
    expect(await server.rc('status')).toMatchObject({ code: 3, stdout: 'unraid-mcp is not running.\n' });
    expect(await server.rc('stop')).toMatchObject({ code: 0, stdout: 'unraid-mcp is not running.\n' });
    // The log says the sidecar shut down on its own terms (SIGTERM, not SIGKILL).
    expect(await server.machine.read('/var/log/unraid-mcp.log')).toMatch(/"msg":"stopped"/);
  });

  it('ignores a stale pid file and one naming another program, and starts detached from its caller', async () => {
    // pid 1 is alive but is not the sidecar: a reused pid must not count as running.
    await server.machine.sh('echo 1 >/var/run/unraid-mcp.pid');
    expect((await server.rc('status')).code).toBe(3);
    await server.machine.sh('echo 999999 >/var/run/unraid-mcp.pid');
    // Through a pipe the caller reads to its end, as the plugin manager and PHP's exec do: this
    // returns only if the sidecar does not hold the pipe.
    const started = Date.now();
    const r = await server.machine.sh(`${RC} start | cat`, { timeoutMs: 30_000 });
    expect(r.stdout).toMatch(/^unraid-mcp started \(pid \d+\)\.\n$/);
    expect(Date.now() - started).toBeLessThan(15_000);
    const pid = await server.sidecarPid();
    // Its own session, stdin from /dev/null.
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    expect(stat[3]).toBe(String(pid)); // session id
    expect((await server.machine.run('readlink', [`/proc/${await inner(pid)}/fd/0`])).stdout.trim()).toBe(
      '/dev/null',
    );
  });

  it('is answered by the page’s PHP bridge through nginx and php-fpm, whose Start button runs the rc script', async () => {
    const installed = await server.machine.read(`${PAGE}/include/api.php`);
    // The page harness serves the repository's copy of the page: it is the installed one.
    expect(installed).toBe(
      await readFile(join(REPO, 'plugin/usr/local/emhttp/plugins/unraid-mcp/include/api.php'), 'utf8'),
    );
    const rcWrapper = join(work, 'rc-in-machine');
    await writeFile(
      rcWrapper,
      `#!/bin/sh\nexec nsenter -t ${server.machine.pid} -m -p -r -w -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ${RC} "$@"\n`,
    );
    await chmod(rcWrapper, 0o755);
    let webgui: Webgui | null = null;
    try {
      webgui = await startWebgui({
        adminSocket: join(server.machine.runDir, 'unraid-mcp/admin.sock'),
        rcScript: rcWrapper,
      });
      const bridge = bridgeClient(webgui, await webgui.sessionCookie());
      const status = await bridge.get('/status');
      expect(status.status, status.text).toBe(200);
      expect(status.json.mcp).toMatchObject({ serving: true, port });
      await server.rc('stop');
      expect((await bridge.get('/status')).json).toMatchObject({ code: 'not_running' });
      const cookie = await webgui.sessionCookie();
      const res = await fetch(`${webgui.apiUrl}?action=start`, {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf_token: webgui.csrfToken }).toString(),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toEqual({ started: true });
      expect((await bridge.get('/status')).json.mcp).toMatchObject({ serving: true });
    } finally {
      await webgui?.stop();
    }
  });

  it('starts with a warning, not a failure, when the cfg was edited into nonsense, so the page can fix it', async () => {
    const cfg = join(flashDir(), 'config/plugins/unraid-mcp/unraid-mcp.cfg');
    await writeFile(cfg, `${ownerCfg()}READ_ONLY="perhaps"\n`);
    const r = await server.rc('restart');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(
      /unraid-mcp started \(pid \d+\), but MCP is refused until the settings are fixed in Settings > Unraid MCP:\n {2}.*READ_ONLY.*"yes" or "no"/,
    );
    expect((await server.rc('status')).stdout).toMatch(/running \(pid \d+\), MCP not serving: .*READ_ONLY/);
    await writeFile(cfg, ownerCfg());
    expect((await server.rc('restart')).stdout).toMatch(/started \(pid \d+\)\.\n$/);
  });
});

describe('stopping with a call in flight', () => {
  it('waits for the sidecar to answer the call and audit it, within the rc script’s bound, without SIGKILL', async () => {
    const configDir = join(flashDir(), 'config/plugins/unraid-mcp');
    // parity_pause made to wait for the owner's approval: the call stays in flight until stopped.
    await writeFile(join(configDir, 'unraid-mcp.cfg'), `${ownerCfg()}TOOLSETS="system,docker,vm,unraid"\n`);
    await writeFile(
      join(configDir, 'policy.json'),
      JSON.stringify({ version: 1, confirmModes: { parity_pause: 'approve' } }),
    );
    expect((await server.rc('restart')).stdout).toMatch(/started \(pid \d+\)\.\n$/);
    const audited = (await verifyChain(auditDir())).records;
    await withMcpClient(mcpUrl, secret, async (client) => {
      const call = client
        .callTool({ name: 'parity_pause', arguments: {} }, undefined, { timeout: 60_000 })
        .then(
          (r) => JSON.stringify(r),
          (e: Error) => e.message,
        );
      await waitFor(async () => (await adminStatus()).pendingConfirmations === 1);
      const started = Date.now();
      const stop = await server.rc('stop');
      expect(stop).toMatchObject({ code: 0, stdout: 'unraid-mcp stopped.\n' });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(await call).toContain('unraid-mcp is shutting down');
    });
    const after = await verifyChain(auditDir());
    const records = after.lines.slice(audited);
    expect(records.filter((l) => l.tool === 'parity_pause' && l.stage === 'outcome')).toHaveLength(1);
    // A policy.json once read may not simply vanish (that locks MCP down): the owner empties it.
    await writeFile(join(configDir, 'policy.json'), JSON.stringify({ version: 1 }));
    await writeFile(join(configDir, 'unraid-mcp.cfg'), ownerCfg());
    expect((await server.rc('start')).stdout).toMatch(/started \(pid \d+\)\.\n$/);
  }, 40_000);
});

describe('the array, a reboot, an update, a downgrade and the removal', () => {
  it('moves the audit log to RAM when the array stops and back when it starts, one unbroken chain', async () => {
    await callOverview();
    const before = await verifyChain(auditDir());
    await server.stopArray();
    await callOverview();
    await server.startArray();
    await callOverview();
    const after = await verifyChain(auditDir());
    expect(after.records).toBeGreaterThan(before.records + 4);
    const tools = after.lines.filter((l) => l.stage === 'outcome' && l.tool === 'system_overview');
    expect(tools.length).toBeGreaterThanOrEqual(3);
  });

  it('comes back after a reboot from the flash drive alone: settings, tokens and the audit log kept', async () => {
    const records = (await verifyChain(auditDir())).records;
    server = await server.reboot();
    // No network at boot: the package must come from the flash drive. And another program has the
    // port: the service cannot start, which must not fail the install (the plugin would be moved to
    // plugins-error and be gone after the next boot).
    releases.breakPackage(older, 'missing');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    const [boot] = await server.plugins.installAllFromFlash();
    await new Promise((r) => blocker.close(r));
    releases.breakPackage(older, null);
    expect(boot?.code, boot?.output).toBe(0);
    expect(boot?.output).toContain(`port ${port} on 127.0.0.1 is already in use by another program`);
    expect(boot?.output).toContain(
      'unraid-mcp: the service did not start (the reason is above). The plugin is installed',
    );
    expect(await server.machine.exists(`/boot/config/plugins/${PLG}`)).toBe(true);
    expect(await server.sidecarPid()).toBeNull();
    expect((await server.rc('start')).stdout).toMatch(/unraid-mcp started \(pid \d+\)\./);
    expect(await server.notifications()).toEqual([]);
    // Plugins are installed before the array starts; then the audit log joins appdata again.
    await callOverview();
    await server.startArray();
    const after = await verifyChain(auditDir());
    expect(after.records).toBeGreaterThan(records);
    expect(await readFile(join(flashDir(), 'config/plugins/unraid-mcp/unraid-mcp.cfg'), 'utf8')).toBe(
      ownerCfg(),
    );
  });

  it('updates to a newer build: stops, upgrades, keeps the settings and tokens, starts the new version', async () => {
    const oldPid = await server.sidecarPid();
    await releases.publish(newer);
    const check = await server.plugins.check(PLG);
    expect(check.output.trim().split('\n').at(-1)).toBe(newer.version);
    const r = await server.plugins.update(PLG);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('unraid-mcp stopped.');
    expect(r.output).toMatch(/unraid-mcp started \(pid \d+\)\./);
    const m = server.machine;
    expect((await m.run('ls', ['/var/log/packages'])).stdout.trim()).toBe(
      newer.package.replace(/\.txz$/, ''),
    );
    expect((await m.run('ls', [PLUGDIR])).stdout.split('\n').filter((f) => f.endsWith('.txz'))).toEqual([
      newer.package,
    ]);
    expect(await m.read(`/boot/config/plugins/${PLG}`)).toContain(`<!ENTITY version "${newer.version}">`);
    const pid = await server.sidecarPid();
    expect(pid).not.toBe(oldPid);
    await callOverview();
    expect(await readFile(join(flashDir(), 'config/plugins/unraid-mcp/unraid-mcp.cfg'), 'utf8')).toBe(
      ownerCfg(),
    );
  });

  it('migrates the settings at start, and leaves a folder a newer version migrated as it is, saying so', async () => {
    const stamp = join(flashDir(), 'config/plugins/unraid-mcp/config-version');
    await writeFile(stamp, '99\n');
    expect((await server.rc('restart')).stdout).toMatch(/started \(pid \d+\)\.\n$/);
    expect(await server.machine.read('/var/log/unraid-mcp.log')).toMatch(
      /"msg":"the settings were last migrated by a newer version of unraid-mcp","configVersion":99/,
    );
    expect(await readFile(stamp, 'utf8')).toBe('99\n');
    await rm(stamp);
    expect((await server.rc('restart')).stdout).toMatch(/started \(pid \d+\)\.\n$/);
  });

  it('refuses a downgrade with a notification that says why; the newer version keeps running', async () => {
    const pid = await server.sidecarPid();
    const olderUrl = `${releases.base}/download/${older.version}/${PLG}`;
    // Without `forced` the plugin manager itself refuses, before the .plg runs.
    const plain = await server.plugins.install(olderUrl);
    expect(plain).toMatchObject({ code: 1, output: expect.stringContaining('not installing older version') });
    // Forced, or an update whose pluginURL serves an older file: the .plg refuses and says why.
    const forced = await server.plugins.install(olderUrl, { forced: true });
    expect(forced.code).toBe(1);
    expect(forced.output).toContain(
      `unraid-mcp ${older.version} is older than the installed ${newer.version}, so it was not installed`,
    );
    await releases.publish(older);
    await server.plugins.check(PLG);
    const update = await server.plugins.update(PLG);
    expect(update.code).toBe(1);
    const notes = await server.notifications();
    const refusals = notes.filter((n) => n.subject === `unraid-mcp: downgrade to ${older.version} refused`);
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({ event: 'unraid-mcp', importance: 'warning' });
    expect(refusals[0]!.description).toContain(
      'remove the plugin first (its settings and tokens stay on the flash drive)',
    );
    expect(await server.sidecarPid()).toBe(pid);
    expect((await server.machine.run('ls', ['/var/log/packages'])).stdout.trim()).toBe(
      newer.package.replace(/\.txz$/, ''),
    );
    expect(await server.machine.exists(`${PLUGDIR}/${older.package}`)).toBe(false);
    await callOverview();
  });

  it('removes the service, package, page and command; keeps settings, tokens and the audit log, and says where', async () => {
    const r = await server.plugins.remove(PLG);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('unraid-mcp stopped.');
    expect(r.output).toContain(`settings and tokens: ${PLUGDIR}/`);
    expect(await server.machine.processes()).toEqual([]);
    await expectNothingInstalled(server);
    expect(await server.machine.exists(`/boot/config/plugins-removed/${PLG}`)).toBe(true);
    const kept = (await server.machine.run('ls', [PLUGDIR])).stdout.split('\n').filter(Boolean);
    expect(kept).toEqual(expect.arrayContaining(['unraid-mcp.cfg', 'tokens.json']));
    expect(kept.filter((f) => f.endsWith('.txz'))).toEqual([]);
    expect((await verifyChain(auditDir())).records).toBeGreaterThan(0);
  });
});

/** No package record, sidecar, page, command, service script or installed-plugin link. */
async function expectNothingInstalled(s: UnraidServer): Promise<void> {
  const m = s.machine;
  expect((await m.sh('ls /var/log/packages 2>/dev/null | grep unraid-mcp; exit 0')).stdout).toBe('');
  for (const path of [LIB, PAGE, RC, CLI, `/var/log/plugins/${PLG}`, '/var/run/unraid-mcp.pid']) {
    expect(await m.exists(path), path).toBe(false);
    expect((await m.run('test', ['-L', path])).code, path).not.toBe(0);
  }
  expect(await s.sidecarPid()).toBeNull();
}

async function callOverview(): Promise<void> {
  await withMcpClient(mcpUrl, secret, async (client) => {
    const r = await client.callTool({ name: 'system_overview', arguments: {} });
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  });
}

/** GET /api/status on the running sidecar's admin socket (as root, from outside the machine). */
function adminStatus(): Promise<{ pendingConfirmations: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: join(server.machine.runDir, 'unraid-mcp/admin.sock'), path: '/api/status' },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(JSON.parse(body) as { pendingConfirmations: number }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not true within ${ms} ms: ${check.toString()}`);
}

/** The pid as the machine numbers it (its own pid namespace) for a host pid. */
async function inner(hostPid: number | null): Promise<number> {
  const status = await readFile(`/proc/${hostPid}/status`, 'utf8');
  const ns = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
  return Number(ns?.at(-1));
}
