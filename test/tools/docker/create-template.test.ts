import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { containerRequestSchema } from '../../../server/tools/docker/shared/container-request.js';
import { checkCreatePolicy } from '../../../server/safety/create-policy/create-policy.js';
import {
  findUserTemplate,
  renderUnraidTemplate,
  shellWord,
  writeUnraidTemplate,
} from '../../../server/backends/docker/unraid-template.js';
import { parseXml, type XmlElement } from './xml-check.js';

/** The dockerMan user template: well-formed, escaped, and shell-safe where dockerMan pastes text into a command. */
let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'umcp-tpl-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const NASTY = `a&b <c> "d" 'e' ]]> \t tab\nnew line`;
const req = containerRequestSchema.parse({
  name: 'tpl-app',
  image: 'lscr.io/linuxserver/app:1.2',
  command: ['--flag', "it's $(whoami) `id`"],
  entrypoint: ['/init', '-x'],
  env: { TZ: 'Europe/Berlin', DB_PASSWORD: 'p&ss<word>', NOTE: NASTY },
  labels: { 'net.unraid.docker.webui': 'http://[IP]:[PORT:8080]/?a=1&b=2', 'com.example.note': NASTY },
  ports: [
    { container_port: 8080, host_port: 18080 },
    { container_port: 53, protocol: 'udp', host_port: 5353, host_ip: '192.168.1.2' },
    { container_port: 9000 },
  ],
  binds: [
    { host: '/mnt/user/appdata/tpl app/config', container: '/config' },
    { host: '/mnt/user/media/x', container: '/media', read_only: true },
  ],
  volumes: [{ name: 'tpl-cache', container: '/cache' }],
  devices: [{ host: '/dev/dri' }, { host: '/dev/ttyUSB0', container: '/dev/zigbee', permissions: 'rw' }],
  sysctls: { 'net.ipv4.ping_group_range': '0 2147483647' },
  cap_add: ['NET_BIND_SERVICE'],
  restart: 'on-failure',
  restart_max_retries: 3,
  cpus: 1.5,
  user: '99:100',
  network: 'br0',
  ip_address: '192.168.1.50',
});
const plan = checkCreatePolicy(req, { allowlist: ['/mnt/user/*/*'] });
const xml = renderUnraidTemplate(req, plan, new Date('2026-01-02T03:04:05Z'));
const root = parseXml(xml);
const child = (name: string) => root.children.find((c) => c.name === name) as XmlElement;
const configs = () => root.children.filter((c) => c.name === 'Config');

describe('the dockerMan template', () => {
  it('is well-formed XML with the dockerMan v2 layout', () => {
    expect(plan.refusals).toEqual([]);
    expect(root).toMatchObject({ name: 'Container', attrs: { version: '2' } });
    expect(child('Name').text).toBe('tpl-app');
    expect(child('Repository').text).toBe('lscr.io/linuxserver/app:1.2');
    expect(child('Network').text).toBe('br0');
    expect(child('MyIP').text).toBe('192.168.1.50');
    expect(child('Privileged').text).toBe('false');
    expect(child('WebUI').text).toBe('http://[IP]:[PORT:8080]/?a=1&b=2');
    expect(child('DateInstalled').text).toBe(String(Date.parse('2026-01-02T03:04:05Z') / 1000));
  });

  it('escapes text and attributes so every value reads back exactly', () => {
    const byTarget = Object.fromEntries(configs().map((c) => [c.attrs.Target, c]));
    expect(byTarget.NOTE?.text).toBe(NASTY);
    expect(byTarget['com.example.note']).toMatchObject({ attrs: { Type: 'Label' }, text: NASTY });
    expect(byTarget.DB_PASSWORD).toMatchObject({
      attrs: { Type: 'Variable', Mask: 'true' },
      text: 'p&ss<word>',
    });
    expect(byTarget.TZ?.attrs.Mask).toBe('false');
    expect(xml).not.toContain('p&ss<word>');
    expect(xml).toContain('p&amp;ss&lt;word&gt;');
  });

  it('maps binds, volumes, ports and devices to Config entries, the rest to ExtraParams', () => {
    expect(
      configs()
        .filter((c) => c.attrs.Type === 'Path')
        .map((c) => [c.attrs.Target, c.text, c.attrs.Mode]),
    ).toEqual([
      ['/config', '/mnt/user/appdata/tpl app/config', 'rw'],
      ['/media', '/mnt/user/media/x', 'ro'],
      ['/cache', 'tpl-cache', 'rw'],
    ]);
    expect(
      configs()
        .filter((c) => c.attrs.Type === 'Port')
        .map((c) => [c.attrs.Target, c.text, c.attrs.Mode]),
    ).toEqual([['8080', '18080', 'tcp']]);
    expect(
      configs()
        .filter((c) => c.attrs.Type === 'Device')
        .map((c) => c.text),
    ).toEqual(['/dev/dri']);
    const extra = child('ExtraParams').text;
    for (const flag of [
      '--memory=1073741824',
      '--pids-limit 512',
      '--init',
      '--security-opt=no-new-privileges:true',
      '--restart=on-failure:3',
      '--cpus=1.5',
      '--cap-add=NET_BIND_SERVICE',
      "--sysctl='net.ipv4.ping_group_range=0 2147483647'",
      '--user=99:100',
      '--entrypoint=/init',
      '-p 192.168.1.2:5353:53/udp',
      '--expose=9000/tcp',
      '--device=/dev/ttyUSB0:/dev/zigbee:rw',
    ]) {
      expect(extra).toContain(flag);
    }
  });

  it('quotes ExtraParams and PostArgs for the shell dockerMan runs them in', () => {
    const words = execFileSync(
      'sh',
      ['-c', `for a in ${child('PostArgs').text}; do printf '%s\\n' "$a"; done`],
      { encoding: 'utf8' },
    )
      .split('\n')
      .slice(0, -1);
    expect(words).toEqual(['-x', '--flag', "it's $(whoami) `id`"]);
    expect(shellWord("a'b")).toBe(`'a'\\''b'`);
    expect(shellWord('plain-1.0')).toBe('plain-1.0');
  });

  it('is written atomically and found by the name inside it, as dockerMan finds it', async () => {
    const path = await writeUnraidTemplate(dir, 'tpl-app', xml);
    expect(path).toBe(join(dir, 'my-tpl-app.xml'));
    expect(await readFile(path, 'utf8')).toBe(xml);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    await writeFile(
      join(dir, 'my-other.xml'),
      '<?xml version="1.0"?>\n<Container version="2"><Name>a&amp;b</Name></Container>\n',
    );
    expect(await findUserTemplate(dir, 'tpl-app')).toBe(path);
    expect(await findUserTemplate(dir, 'a&b')).toBe(join(dir, 'my-other.xml'));
    expect(await findUserTemplate(dir, 'nope')).toBeNull();
    expect(await findUserTemplate(join(dir, 'missing'), 'tpl-app')).toBeNull();
  });

  it('the checker itself rejects malformed XML', () => {
    for (const bad of [
      '<a>&</a>',
      '<a><b></a>',
      '<a>',
      '<a/><b/>',
      '<a x="1" x="2"/>',
      '<a x="<"/>',
      'text<a/>',
      '<a>\u0001</a>',
    ]) {
      expect(() => parseXml(bad), bad).toThrow();
    }
  });
});
