import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerPlan } from './container-spec.js';
import { isSecretKey, redactString } from '../../util/redact.js';
import type { ContainerRequest } from './container-request.js';

/** Where Unraid's Docker manager (dockerMan) keeps the user's container templates. */
export const DOCKERMAN_TEMPLATES_DIR = '/boot/config/plugins/dockerMan/templates-user';
/** The label dockerMan puts on containers it manages (the Docker tab offers "Edit" for them). */
export const DOCKERMAN_MANAGED_LABEL = 'net.unraid.docker.managed';
const WEBUI_LABEL = 'net.unraid.docker.webui';
const ICON_LABEL = 'net.unraid.docker.icon';

// Characters XML 1.0 cannot hold at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/FFFF).
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
/** Escapes element text. */
export const xmlText = (s: string) =>
  s
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
/** Escapes an attribute value (quotes, and whitespace that attribute normalisation would flatten). */
export const xmlAttr = (s: string) =>
  xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
/** One shell word: dockerMan pastes ExtraParams and PostArgs into a shell command line as they are. */
export const shellWord = (s: string) =>
  /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Whether the Docker tab shows a value masked (dockerMan's `Mask="true"`, a password field): when its
 * name says it is a secret (DB_PASSWORD, TS_AUTHKEY) or the value looks like one (a token, a URL with a
 * password). The template itself must keep the value: dockerMan recreates the container from it.
 */
const masked = (key: string, value: string) => isSecretKey(key) || redactString(value) !== value;

interface ConfigEntry {
  name: string;
  target: string;
  mode: string;
  type: 'Path' | 'Port' | 'Variable' | 'Label' | 'Device';
  value: string;
  mask?: boolean;
}

/**
 * A dockerMan user template (`my-<name>.xml`) describing the container, so it shows in the Docker tab
 * with "Edit" and can be updated the Unraid way. Binds, ports, variables, labels and devices become
 * `<Config>` entries; what the template has no field for (limits, init, security options,
 * capabilities, sysctls, GPUs, entrypoint) goes into `<ExtraParams>` as shell-quoted docker flags.
 */
export function renderUnraidTemplate(req: ContainerRequest, plan: ContainerPlan, now: Date): string {
  const config: ConfigEntry[] = [];
  const extra: string[] = [];
  plan.binds.forEach((b, i) =>
    config.push({
      name: `Host Path ${i + 1}`,
      target: b.container,
      mode: b.readOnly ? 'ro' : 'rw',
      type: 'Path',
      value: b.host,
    }),
  );
  (req.volumes ?? []).forEach((v, i) =>
    config.push({
      name: `Volume ${i + 1}`,
      target: v.container,
      mode: v.read_only ? 'ro' : 'rw',
      type: 'Path',
      value: v.name,
    }),
  );
  (req.ports ?? []).forEach((p, i) => {
    if (p.host_port === undefined) extra.push(`--expose=${p.container_port}/${p.protocol}`);
    else if (p.host_ip !== undefined || p.protocol === 'sctp')
      extra.push(
        `-p ${shellWord(`${p.host_ip ? `${p.host_ip.includes(':') ? `[${p.host_ip}]` : p.host_ip}:` : ''}${p.host_port}:${p.container_port}/${p.protocol}`)}`,
      );
    else
      config.push({
        name: `Host Port ${i + 1}`,
        target: String(p.container_port),
        mode: p.protocol,
        type: 'Port',
        value: String(p.host_port),
      });
  });
  for (const entry of plan.env) {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq);
    config.push({
      name: key,
      target: key,
      mode: '',
      type: 'Variable',
      value: entry.slice(eq + 1),
      mask: masked(key, entry.slice(eq + 1)),
    });
  }
  const labels = req.labels ?? {};
  for (const [key, value] of Object.entries(labels)) {
    if (key !== WEBUI_LABEL && key !== ICON_LABEL && key !== DOCKERMAN_MANAGED_LABEL)
      config.push({ name: key, target: key, mode: '', type: 'Label', value, mask: masked(key, value) });
  }
  plan.devices.forEach((d, i) => {
    if (d.container === d.host && d.permissions === 'rwm')
      config.push({ name: `Device ${i + 1}`, target: '', mode: '', type: 'Device', value: d.host });
    else extra.push(`--device=${shellWord(`${d.host}:${d.container}:${d.permissions}`)}`);
  });

  extra.push(`--memory=${plan.memoryBytes}`, `--pids-limit ${plan.pidsLimit}`);
  if (req.init) extra.push('--init');
  for (const opt of plan.securityOpt) extra.push(`--security-opt=${shellWord(opt)}`);
  if (req.restart)
    extra.push(
      `--restart=${req.restart}${req.restart === 'on-failure' && req.restart_max_retries ? `:${req.restart_max_retries}` : ''}`,
    );
  if (req.cpus !== undefined) extra.push(`--cpus=${req.cpus}`);
  for (const cap of plan.capAdd) extra.push(`--cap-add=${cap}`);
  for (const cap of plan.capDrop) extra.push(`--cap-drop=${cap}`);
  for (const [k, v] of Object.entries(req.sysctls ?? {})) extra.push(`--sysctl=${shellWord(`${k}=${v}`)}`);
  const g = req.gpus;
  if (g !== undefined)
    extra.push(
      `--gpus=${g === 'all' ? 'all' : shellWord(g.device_ids?.length ? `"device=${g.device_ids.join(',')}"` : String(g.count ?? 'all'))}`,
    );
  if (req.user) extra.push(`--user=${shellWord(req.user)}`);
  if (req.working_dir) extra.push(`--workdir=${shellWord(req.working_dir)}`);
  if (req.ipc_mode && req.ipc_mode !== 'private' && req.ipc_mode !== 'host')
    extra.push(`--ipc=${req.ipc_mode}`);
  for (const v of req.volumes_from ?? []) extra.push(`--volumes-from=${shellWord(v)}`);
  const [entry, ...entryArgs] = req.entrypoint ?? [];
  if (entry !== undefined) extra.push(`--entrypoint=${shellWord(entry)}`);
  const postArgs = [...entryArgs, ...(req.command ?? [])].map(shellWord).join(' ');

  const el = (tag: string, value = '') =>
    value === '' ? `  <${tag}/>` : `  <${tag}>${xmlText(value)}</${tag}>`;
  const lines = [
    '<?xml version="1.0"?>',
    '<Container version="2">',
    el('Name', req.name),
    el('Repository', req.image),
    el('Registry'),
    el('Network', req.network ?? 'bridge'),
    el('MyIP', req.ip_address ?? ''),
    el('Shell', 'sh'),
    el('Privileged', 'false'),
    el('Support'),
    el('Project'),
    el('Overview', `Created through unraid-mcp on ${now.toISOString().slice(0, 10)}.`),
    el('Category'),
    el('WebUI', labels[WEBUI_LABEL] ?? ''),
    el('TemplateURL'),
    el('Icon', labels[ICON_LABEL] ?? ''),
    el('ExtraParams', extra.join(' ')),
    el('PostArgs', postArgs),
    el('CPUset'),
    el('DateInstalled', String(Math.floor(now.getTime() / 1000))),
    el('DonateText'),
    el('DonateLink'),
    el('Requires'),
    ...config.map(
      (c) =>
        `  <Config Name="${xmlAttr(c.name)}" Target="${xmlAttr(c.target)}" Default="" Mode="${xmlAttr(c.mode)}" Description="" Type="${c.type}" Display="always" Required="false" Mask="${c.mask ? 'true' : 'false'}">${xmlText(c.value)}</Config>`,
    ),
    '</Container>',
    '',
  ];
  return lines.join('\n');
}

/** True when `dir` exists and is a folder: the sign of an Unraid host with the Docker manager. */
export async function isTemplatesDir(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Writes `my-<name>.xml` atomically (temp file + rename); returns its path. */
export async function writeUnraidTemplate(dir: string, name: string, xml: string): Promise<string> {
  const path = join(dir, `my-${name}.xml`);
  // A dot file: dockerMan's template listing skips it while it is being written.
  const tmp = join(dir, `.my-${name}.xml.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, xml, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return path;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXml = (s: string) =>
  s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (ENTITIES[e] as string),
  );

/**
 * The user template dockerMan would use for `name`: like its getUserTemplate(), the first template
 * whose `<Name>` is exactly the container's name. Null when there is none (or no template folder).
 */
export async function findUserTemplate(dir: string, name: string): Promise<string | null> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.xml') && !f.startsWith('.')).sort();
  } catch {
    return null;
  }
  for (const f of files) {
    const text = await readFile(join(dir, f), 'utf8').catch(() => '');
    const m = /<Name>([^<]*)<\/Name>/.exec(text);
    if (m && decodeXml(m[1] as string).trim() === name) return join(dir, f);
  }
  return null;
}
