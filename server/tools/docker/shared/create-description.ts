import { posix } from 'node:path';
import type { ContainerRequest } from '../../../backends/docker/container-request.js';
import { effectiveCommand, type ImageCommand } from '../../../backends/docker/effective-command.js';
import type { CreatePlan } from '../../../safety/create-policy/create-policy.js';
import { describeInherited, type MountFacts } from '../../../safety/create-policy/volume-mounts.js';
import { formatBytes } from '../../../util/byte-size.js';
import { redact } from '../../../util/redact.js';

/** Docker cleans mount destinations; two spellings of one folder are one mount point. */
const mountPoint = (p: string) => posix.normalize(p).replace(/(.)\/$/, '$1');

/**
 * Every mount the container ends up with: its own binds and volumes, then what `volumes_from` passes
 * on, naming the container it comes from. Docker lets the request's own mounts replace an inherited
 * one at the same folder, and a later `volumes_from` container an earlier one; those are marked.
 */
function describeMounts(args: ContainerRequest, plan: CreatePlan, facts: MountFacts): string[] {
  const rw = (ro: boolean) => (ro ? 'ro' : 'rw');
  const own = [
    ...(args.binds ?? []).map((b) => `${b.host} → ${b.container} (${rw(b.read_only)})`),
    ...(args.volumes ?? []).map((v) => {
      const source = facts.volumeSources?.get(v.name);
      const bind = source?.kind === 'path' ? ` (a bind of ${source.path})` : '';
      return `volume ${v.name}${bind} → ${v.container} (${rw(v.read_only)})`;
    }),
  ];
  const ownPoints = new Set(
    [...(args.binds ?? []), ...(args.volumes ?? [])].map((m) => mountPoint(m.container)),
  );
  const lastAt = new Map(plan.inherited.map((m, i) => [mountPoint(m.container), i]));
  const inherited = plan.inherited.map((m, i) => {
    const point = mountPoint(m.container);
    const unused = ownPoints.has(point)
      ? ' — not used: this request mounts something else there'
      : lastAt.get(point) !== i
        ? ' — not used: a later volumes_from container mounts something there'
        : '';
    return `${describeInherited(m)} from container "${m.from}"${unused}`;
  });
  return [...own, ...inherited];
}

/** Longest argument list shown as is; a longer one is cut with the count of what is left out. */
const MAX_ARGV_SHOWN = 2000;

/** An argument list, exactly (JSON, so quotes and newlines cannot blur where one argument ends). */
function showArgv(argv: string[]): string {
  const json = JSON.stringify(argv);
  return json.length <= MAX_ARGV_SHOWN
    ? json
    : `${json.slice(0, MAX_ARGV_SHOWN)}… (${json.length - MAX_ARGV_SHOWN} more characters not shown)`;
}

/**
 * What the container will run: entrypoint and command, from the request or else from the image,
 * redacted like the call's arguments (`--password x`, `mysql -psecret`): the description is stored
 * with the pending approval and shown to the owner, and must hold no secret the arguments do not.
 */
function describeCommand(args: ContainerRequest, image: ImageCommand | null): string {
  const run = effectiveCommand(args, image ?? {});
  // Together, so an entrypoint such as mysql makes `-psecret` in the command a password.
  const shownArgv = redact({ entrypoint: run.entrypoint.argv, command: run.command.argv });
  const parts = [
    ['entrypoint', run.entrypoint, shownArgv.entrypoint],
    ['command', run.command, shownArgv.command],
  ] as const;
  const shown = parts
    .filter(([, p]) => p.argv.length && (image || p.from === 'request'))
    .map(
      ([what, p, argv]) =>
        `${what} ${showArgv(argv)} (${p.from === 'image' ? "the image's" : 'from the request'})`,
    );
  if (!image)
    return `Runs: ${shown.join(', ') || 'nothing the request sets'}; the image is not on this server, so what it adds cannot be shown (docker_create fails until it is pulled with docker_pull).`;
  return `Runs: ${shown.join(', ') || 'nothing — neither the request nor the image gives a command, so Docker will refuse it'}.`;
}

/**
 * What the approver sees: everything the container gets — the effective mounts, inherited ones with
 * the container they come from, and the command it runs — and what needs a second look. Pure: the
 * tool reads the policy's facts and the image's entrypoint and command (null: no such image) first.
 */
export function describeCreate(
  args: ContainerRequest,
  plan: CreatePlan,
  facts: MountFacts,
  image: ImageCommand | null,
): string {
  const envKeys = Array.isArray(args.env)
    ? args.env.map((e) => e.split('=')[0])
    : Object.keys(args.env ?? {});
  const lines = [
    `Create container "${args.name}" from image "${args.image}"${args.start ? ' and start it' : ''} (network ${args.network ?? 'default'}).`,
  ];
  if (plan.refusals.length) lines.push(`WILL BE REFUSED: ${plan.refusals.join('; ')}.`);
  if (plan.attention.length) lines.push(`NEEDS ATTENTION: ${plan.attention.join('; ')}.`);
  lines.push(describeCommand(args, image));
  const ports = (args.ports ?? []).map((p) =>
    p.host_port
      ? `${p.host_ip ?? '0.0.0.0'}:${p.host_port}→${p.container_port}/${p.protocol}`
      : `${p.container_port}/${p.protocol} (not published)`,
  );
  if (ports.length) lines.push(`Ports: ${ports.join(', ')}.`);
  const mounts = describeMounts(args, plan, facts);
  if (mounts.length) lines.push(`Mounts: ${mounts.join(', ')}.`);
  if (envKeys.length) lines.push(`Environment variables: ${envKeys.join(', ')} (values not shown).`);
  if (args.cap_add?.length) lines.push(`Capabilities added: ${args.cap_add.join(', ')}.`);
  const limits = [
    `memory ${plan.memoryBytes ? formatBytes(plan.memoryBytes) : String(args.memory)}`,
    `processes ${plan.pidsLimit}`,
    ...(args.cpus ? [`CPUs ${args.cpus}`] : []),
  ];
  lines.push(
    `Limits: ${limits.join(', ')}.${plan.defaults.length ? ` Defaults added: ${plan.defaults.join(', ')}.` : ''}`,
  );
  return lines.join('\n');
}
