import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { versionFromEpoch } from '../../scripts/package/version.mjs';
import { renderTemplate } from '../../scripts/package/render-plg.mjs';
import { MIN_UNRAID, RELEASES_URL } from '../../scripts/package/settings.mjs';
import { buildPackageInto, REPO, type PackageBuild } from './package-build.js';
import { parsePlg, type Plg } from './plg-parser.js';
import { createPackagedToken, fixtureEnv, PACKAGED_NODE, servePackaged } from './packaged-sidecar.js';

const run = promisify(execFile);
const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

interface TarEntry {
  mode: string;
  owner: string;
  size: number;
  mtime: string;
  name: string;
}

/** `tar -tv` of the package with numeric owners and UTC times: one entry per line. */
async function listTxz(file: string): Promise<TarEntry[]> {
  const { stdout } = await run(
    'tar',
    ['--list', '--verbose', '--numeric-owner', '--full-time', '-J', '-f', file],
    {
      env: { ...process.env, TZ: 'UTC' },
      maxBuffer: 16 << 20,
    },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, size, date, time, ...name] = line.split(/\s+/);
      return {
        mode: mode!,
        owner: owner!,
        size: Number(size),
        mtime: `${date} ${time}`,
        name: name.join(' '),
      };
    });
}

let work: string;
let first: PackageBuild;
let second: PackageBuild;
let entries: TarEntry[];
let plg: Plg;
let root: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'umcp-package-'));
  // Two builds of the same commit, one after the other (a cold cache compresses the Node runtime once).
  first = await buildPackageInto(join(work, 'a'));
  second = await buildPackageInto(join(work, 'b'));
  entries = await listTxz(first.txzPath);
  plg = parsePlg(await readFile(first.plgPath, 'utf8'));
  root = join(work, 'root');
  await mkdir(root);
  await run('tar', ['-xJf', first.txzPath, '-C', root]);
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the Slackware package', () => {
  it('is named unraid-mcp-<version>-x86_64-1.txz after a YYYY.MM.DD.HHMM version from the commit time', async () => {
    const { stdout } = await run('git', ['log', '-1', '--format=%ct'], { cwd: REPO });
    expect(first.sourceDateEpoch).toBe(Number(stdout.trim()));
    expect(first.version).toMatch(/^\d{4}\.\d{2}\.\d{2}\.\d{4}$/);
    expect(first.version).toBe(versionFromEpoch(first.sourceDateEpoch));
    expect(first.package).toBe(`unraid-mcp-${first.version}-x86_64-1.txz`);
  });

  it('is the same file, byte for byte, when the same commit is built twice', async () => {
    expect(second.sha256).toBe(first.sha256);
    expect(await sha256(second.txzPath)).toBe(await sha256(first.txzPath));
    expect(await sha256(first.txzPath)).toBe(first.sha256);
    expect(await readFile(second.plgPath, 'utf8')).toBe(await readFile(first.plgPath, 'utf8'));
  });

  it('holds the page, the bridge, the assets, the bundle, its addon and the Node runtime', () => {
    const names = entries.map((e) => e.name);
    const plugin = './usr/local/emhttp/plugins/unraid-mcp';
    const lib = './usr/local/lib/unraid-mcp';
    for (const path of [
      './',
      './install/slack-desc',
      './install/doinst.sh',
      `${plugin}/UnraidMCP.page`,
      `${plugin}/README.md`,
      `${plugin}/include/api.php`,
      `${plugin}/assets/unraid-mcp.js`,
      `${plugin}/assets/unraid-mcp.css`,
      `${lib}/unraid-mcp.mjs`,
      `${lib}/bin/unraid-mcp`,
      `${lib}/rc.unraid-mcp`,
      `${lib}/node/bin/node`,
      `${lib}/node/LICENSE`,
      `${lib}/node_modules/@unraid/libvirt/package.json`,
      `${lib}/node_modules/@unraid/libvirt/dist/index.js`,
      `${lib}/node_modules/@unraid/libvirt/build/Release/libvirt.node`,
      `${lib}/node_modules/re2js/build/index.cjs`,
    ]) {
      expect(names, path).toContain(path);
    }
    expect(names.some((n) => /\/chunks\/service-[A-Z0-9]+\.mjs$/.test(n))).toBe(true);
    // Nothing of the build machine: no source maps, no TypeScript, no sources of dependencies.
    expect(names.filter((n) => /\.(map|ts)$/.test(n) || n.includes('/src/'))).toEqual([]);
    // Sorted bytewise, as makepkg lists them, so the same tree always gives the same tar.
    const sorted = [...names.slice(1)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(names.slice(1)).toEqual(sorted);
  });

  it('owns every entry as root:root (0/0) with 0755 directories and executables, 0644 files, the commit time', () => {
    const executables = new Set([
      './usr/local/lib/unraid-mcp/node/bin/node',
      './usr/local/lib/unraid-mcp/bin/unraid-mcp',
      './usr/local/lib/unraid-mcp/rc.unraid-mcp',
      './usr/local/lib/unraid-mcp/node_modules/@unraid/libvirt/build/Release/libvirt.node',
    ]);
    const time = new Date(first.sourceDateEpoch * 1000).toISOString().replace('T', ' ').slice(0, 19);
    for (const e of entries) {
      expect(e.owner, e.name).toBe('0/0');
      expect(e.mtime, e.name).toBe(time);
      if (e.name.endsWith('/')) expect(e.mode, e.name).toBe('drwxr-xr-x');
      // emhttpd runs the event hooks and the scripts they call: executable too.
      else if (executables.has(e.name) || /\/plugins\/unraid-mcp\/(event|scripts)\/[^/]+$/.test(e.name))
        expect(e.mode, e.name).toBe('-rwxr-xr-x');
      else expect(e.mode, e.name).toBe('-rw-r--r--');
    }
  });

  it('describes itself in 11 slack-desc lines and links its command from doinst.sh', async () => {
    const desc = await readFile(join(root, 'install/slack-desc'), 'utf8');
    const lines = desc.split('\n').filter((l) => l.startsWith('unraid-mcp:'));
    expect(lines).toHaveLength(11);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual('unraid-mcp: '.length + 70);
    expect(desc.split('\n').filter((l) => l && !l.startsWith('#') && !l.includes('handy-ruler'))).toEqual(
      lines,
    );
    // doinst.sh runs from / with relative paths: run it on the scratch root.
    await run('sh', ['install/doinst.sh'], { cwd: root });
    expect(await readlink(join(root, 'usr/local/bin/unraid-mcp'))).toBe('../lib/unraid-mcp/bin/unraid-mcp');
    // The service script is linked, not packed, into /etc/rc.d (a link itself on Unraid 7).
    expect(entries.map((e) => e.name).filter((n) => n.startsWith('./etc'))).toEqual([]);
    expect(await readlink(join(root, 'etc/rc.d/rc.unraid-mcp'))).toBe(
      '/usr/local/lib/unraid-mcp/rc.unraid-mcp',
    );
  });

  it('reports its size on flash and in RAM', () => {
    expect(first.packageBytes).toBeLessThan(40 << 20);
    expect(first.installedBytes).toBeLessThan(160 << 20);
  });
});

describe('unraid-mcp.plg', () => {
  it('names the plugin, its version, its URL and the oldest Unraid it installs on', () => {
    expect(plg.plugin).toMatchObject({
      name: 'unraid-mcp',
      version: first.version,
      pluginURL: first.pluginUrl,
      min: '6.12.0',
      launch: 'Settings/UnraidMCP',
    });
    // The plugin manager saves the .plg under the URL's basename: they must be the same name.
    expect(basename(first.pluginUrl)).toBe(basename(first.plgPath));
  });

  it('runs its FILE steps in the order of an install, then a remove section', () => {
    const f = plg.files;
    const pkg = `/boot/config/plugins/unraid-mcp/${first.package}`;
    expect(f).toHaveLength(8);
    expect(f[0]).toMatchObject({ Run: '/bin/bash' });
    expect(f[0]!.INLINE).toContain('/etc/unraid-version');
    // A downgrade is refused against the installed copy the plugin manager links in RAM.
    expect(f[0]!.INLINE).toContain('if [ -e "/var/log/plugins/unraid-mcp.plg" ]; then');
    expect(f[0]!.INLINE).toContain('"/usr/local/emhttp/webGui/scripts/notify" -e "unraid-mcp"');
    expect(f[0]!.INLINE).toContain('df -Pk /boot');
    expect(f[1]).toEqual({ Name: pkg, URL: expect.stringMatching(/^https:\/\//), SHA256: first.sha256 });
    expect(f[1]!.URL!.endsWith(`/${first.version}/${first.package}`)).toBe(true);
    expect(f[2]!.INLINE).toContain(`upgradepkg --install-new --reinstall "${pkg}"`);
    expect(f[3]!.INLINE).toMatch(
      /find "\/boot\/config\/plugins\/unraid-mcp" .*-name 'unraid-mcp-\*\.txz' ! -name '/,
    );
    // Written only if absent: a FILE with a Name, INLINE content and no hash is never overwritten.
    expect(f[4]).toEqual({
      Name: '/boot/config/plugins/unraid-mcp/unraid-mcp.cfg',
      INLINE: expect.any(String),
    });
    expect(f[2]!.INLINE).toContain(
      'if [ -x "/etc/rc.d/rc.unraid-mcp" ]; then "/etc/rc.d/rc.unraid-mcp" stop || exit 1; fi',
    );
    expect(f[5]!.INLINE).toContain('if ! "/etc/rc.d/rc.unraid-mcp" start; then');
    expect(f[5]!.INLINE!.trim().split('\n').at(-1)).toBe('exit 0');
    expect(f[6]!.INLINE).toContain('/Settings/UnraidMCP');
    expect(f[7]).toMatchObject({ Run: '/bin/bash', Method: 'remove' });
    expect(f[7]!.INLINE).toContain('removepkg "unraid-mcp"');
    // Only package files leave the flash drive: settings, tokens and the audit log stay.
    expect(f[7]!.INLINE).not.toMatch(/\brm\b[^\n]*\/boot/);
    expect(f[7]!.INLINE).toContain(
      'rm -rf /var/cache/unraid-mcp /var/run/unraid-mcp /var/run/unraid-mcp.pid',
    );
    expect(f[7]!.INLINE!.match(/-delete/g)).toHaveLength(1);
    expect(f[7]!.INLINE).toContain("-name 'unraid-mcp-*.txz' -delete");
  });

  it('carries the SHA256 of the package it points to', async () => {
    expect(plg.entities.packageSHA256).toBe(await sha256(first.txzPath));
  });

  it('has INLINE scripts that bash accepts, and a default cfg the sidecar reads', async () => {
    for (const step of plg.files.filter((s) => s.Run === '/bin/bash')) {
      await run('bash', ['-n', '-c', step.INLINE!]);
    }
    expect(
      plg.files[4]!.INLINE!.trim()
        .split('\n')
        .filter((l) => !l.startsWith('#')),
    ).toEqual(['PORT="8765"']);
  });

  it('puts the changelog in <CHANGES> under this version', () => {
    expect(plg.changes).toContain(`## ${first.version}`);
    expect(plg.changes).not.toContain('Unreleased');
  });

  it('is listed by a Community Applications template with the same PluginURL', async () => {
    const rendered = await readFile(join(first.out, 'unraid-mcp.xml'), 'utf8');
    expect(/<PluginURL>([^<]*)<\/PluginURL>/.exec(rendered)?.[1]).toBe(first.pluginUrl);
    // The committed template carries the default URL, which this test build uses.
    const committed = await readFile(join(REPO, 'plugin/ca/unraid-mcp.xml'), 'utf8');
    expect(committed).toBe(rendered);
  });
});

describe('the committed unraid-mcp.plg', () => {
  it('is the template rendered (npm run package refreshes it): a template change must be rendered and committed', async () => {
    const committed = await readFile(join(REPO, 'unraid-mcp.plg'), 'utf8');
    const { entities } = parsePlg(committed);
    const changes = /<CHANGES>\n([\s\S]*)\n<\/CHANGES>/.exec(committed)?.[1] ?? '';
    const unescape = (t: string) =>
      t
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
    const values = {
      NAME: entities.name,
      AUTHOR: entities.author,
      VERSION: entities.version,
      LAUNCH: entities.launch,
      MIN: entities.min,
      PLUGIN_URL: entities.pluginURL,
      PACKAGE_NAME: entities.packageName,
      PACKAGE_URL: entities.packageURL,
      PACKAGE_SHA256: entities.packageSHA256,
      PACKAGE_KB: entities.packageKB,
      INSTALLED_KB: entities.installedKB,
      CHANGES: unescape(changes),
    };
    const template = await readFile(join(REPO, 'plugin/unraid-mcp.plg.in'), 'utf8');
    expect(renderTemplate(template, values)).toBe(committed);
    // It points where releases are published (the URL setting of scripts/package/settings.mjs).
    expect(entities.pluginURL).toBe(`${RELEASES_URL}/latest/download/unraid-mcp.plg`);
    expect(entities.packageURL).toBe(`${RELEASES_URL}/download/${entities.version}/${entities.packageName}`);
    expect(entities.min).toBe(MIN_UNRAID);
  });
});

describe('plugin versions', () => {
  it('sort as Unraid compares them (PHP strcmp): a later commit is always a greater string', async () => {
    const times = [
      '2026-09-30T23:59:00Z',
      '2026-10-01T00:00:00Z',
      '2026-10-01T09:59:00Z',
      '2026-10-01T10:00:00Z',
      '2026-12-31T23:59:00Z',
      '2027-01-01T00:00:00Z',
    ].map((t) => versionFromEpoch(Date.parse(t) / 1000));
    expect(times[1]).toBe('2026.10.01.0000');
    const { stdout } = await run('php', [
      '-r',
      '$v = array_slice($argv, 1); for ($i = 1; $i < count($v); $i++) echo strcmp($v[$i - 1], $v[$i]) < 0 ? "<" : ">=";',
      ...times,
    ]);
    expect(stdout).toBe('<'.repeat(times.length - 1));
  });
});

describe('the packaged sidecar', () => {
  it('runs on the Node it ships', async () => {
    const { stdout } = await run(join(root, PACKAGED_NODE), ['--version']);
    expect(stdout.trim()).toBe(`v${first.node}`);
  });

  it('starts with that Node, answers tools/list with a real token and lists VMs through the native addon', async () => {
    const env = await fixtureEnv(join(work, 'sidecar'));
    const secret = await createPackagedToken(root, env, 'package-test');
    const sidecar = await servePackaged(root, env);
    try {
      expect(await readlink(`/proc/${sidecar.child.pid}/exe`)).toBe(join(root, PACKAGED_NODE));
      const cmdline = (await readFile(`/proc/${sidecar.child.pid}/cmdline`, 'utf8')).split('\0');
      // The production V8 flags, as package.json gives them to every launcher.
      const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
        unraidMcp: { nodeFlags: string };
      };
      expect(cmdline).toEqual(expect.arrayContaining(pkg.unraidMcp.nodeFlags.split(' ').filter(Boolean)));
      const client = new Client({ name: 'package-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(sidecar.url), {
          requestInit: { headers: { Authorization: `Bearer ${secret}` } },
        }),
      );
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(
          expect.arrayContaining(['vm_list', 'docker_list', 'system_overview']),
        );
        const vms = await client.callTool({ name: 'vm_list', arguments: {} });
        expect(vms.isError, JSON.stringify(vms.content)).toBeFalsy();
        expect(JSON.stringify(vms.structuredContent)).toContain('"test"');
      } finally {
        await client.close();
      }
    } finally {
      expect(await sidecar.stop()).toBe(0);
    }
    // The launcher passed V8's compile cache on: the next start skips compiling the bundle.
    expect((await readdir(env.NODE_COMPILE_CACHE!, { recursive: true })).length).toBeGreaterThan(0);
    const launcher = await readFile(join(root, 'usr/local/lib/unraid-mcp/bin/unraid-mcp'), 'utf8');
    expect(launcher).toContain(': "${NODE_COMPILE_CACHE:=/var/cache/unraid-mcp/compile-cache}"');
  });
});
