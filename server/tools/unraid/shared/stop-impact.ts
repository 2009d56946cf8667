import type Docker from 'dockerode';
import { listVms } from '../../../backends/vm/list-vms.js';
import { findMntOpenFiles } from '../../../backends/unraid/open-files.js';
import type { ArrayControlState } from '../../../backends/unraid/array-control-state.js';
import type { ToolContext } from '../../context.js';
import { unraidLayout } from './unraid-layout.js';

/** Each lookup gets this long; an approval text must not wait on a stuck daemon. */
const LOOKUP_MS = 3000;
const MAX_NAMES = 30;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer in time`)), LOOKUP_MS);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Names the owner may see, and how many more the filters hide (their names stay out of the text). */
function named(ctx: ToolContext, kind: 'container' | 'vm', names: string[]): string {
  const shown = names.filter((n) => ctx.visible(kind, n)).sort((a, b) => a.localeCompare(b));
  const hidden = names.length - shown.length;
  const head = shown.slice(0, MAX_NAMES).join(', ');
  const more = shown.length > MAX_NAMES ? ` and ${shown.length - MAX_NAMES} more` : '';
  const filtered = hidden ? `${shown.length ? ' and ' : ''}${hidden} hidden by the MCP filters` : '';
  return `${head}${more}${filtered}`;
}

async function containersPart(ctx: ToolContext): Promise<string> {
  try {
    const docker = await ctx.deps.docker();
    const list = await withTimeout(
      docker.listContainers({ all: false } as Docker.ContainerListOptions),
      'Docker',
    );
    const names = list.map((c) => (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''));
    return names.length
      ? `It stops ${names.length} running container(s): ${named(ctx, 'container', names)}.`
      : 'No containers are running.';
  } catch {
    return 'Docker could not be asked which containers run (it may be stopped).';
  }
}

async function vmsPart(ctx: ToolContext): Promise<string> {
  try {
    const vms = await withTimeout(listVms(ctx.deps.libvirt), 'libvirt');
    const names = vms.filter((v) => v.state !== 'shut off' && v.state !== 'crashed').map((v) => v.name);
    return names.length
      ? `It shuts down ${names.length} running VM(s): ${named(ctx, 'vm', names)}.`
      : 'No VMs are running.';
  } catch {
    return 'libvirt could not be asked which VMs run (the VM service may be stopped).';
  }
}

async function openFilesPart(ctx: ToolContext): Promise<string | null> {
  try {
    const found = await withTimeout(findMntOpenFiles(unraidLayout(ctx).procRoot), 'procfs');
    if (!found.holders.length) return null;
    const shown = found.holders
      .slice(0, MAX_NAMES)
      .map((h) => `${h.command} (pid ${h.pid}, ${h.count} file(s), e.g. ${h.paths.join(', ')})`);
    const more =
      found.holders.length > MAX_NAMES ? `; and ${found.holders.length - MAX_NAMES} more processes` : '';
    return `Files are open under /mnt — the disks cannot unmount while these processes hold them, and the stop keeps retrying until they let go: ${shown.join('; ')}${more}.`;
  } catch {
    return null;
  }
}

/** What stopping the array will stop, for the owner's approval: containers, VMs, an operation, the mover, open files. */
export async function describeStopImpact(ctx: ToolContext, s: ArrayControlState): Promise<string> {
  const [containers, vms, files] = await Promise.all([containersPart(ctx), vmsPart(ctx), openFilesPart(ctx)]);
  const op = s.operation
    ? `The ${s.operation.description} in progress (${s.operation.paused ? 'paused' : 'running'} at ${s.operation.percent ?? '?'}%) is cancelled; a later check starts from the beginning.`
    : null;
  const mover = s.moverActive ? 'The mover is running and is interrupted.' : null;
  return [
    'Stop the array: shares and disks go offline until it is started again.',
    containers,
    vms,
    op,
    mover,
    files,
  ]
    .filter(Boolean)
    .join(' ');
}
