import type { LibvirtClient } from './libvirt-client.js';
import { child, parseDomainXml, text } from './domain-xml.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { mapInBatches } from '../../util/map-in-batches.js';

/** One snapshot as vm_snapshot_list reports it (its output schema lives with the tool). */
export interface Snapshot {
  name: string;
  description: string | null;
  createdAt: string | null;
  state: string | null;
  parent: string | null;
  current: boolean;
}

/** Names of a VM's snapshots (one virsh call). */
export async function snapshotNames(
  client: LibvirtClient,
  uuid: string,
  vmName: string,
  signal: AbortSignal,
): Promise<string[]> {
  const out = await client.virsh(
    ['snapshot-list', '--domain', uuid, '--name'],
    `listing the snapshots of VM "${vmName}"`,
    { signal },
  );
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The name of the VM's current snapshot, or null when it has none. */
async function currentSnapshot(
  client: LibvirtClient,
  uuid: string,
  vmName: string,
  signal: AbortSignal,
): Promise<string | null> {
  try {
    return (
      (
        await client.virsh(
          ['snapshot-current', '--domain', uuid, '--name'],
          `reading the current snapshot of VM "${vmName}"`,
          { signal },
        )
      ).trim() || null
    );
  } catch (err) {
    if (err instanceof ToolError && /no current snapshot|has no current/i.test(err.message)) return null;
    throw err;
  }
}

/** Every snapshot with the creation time and state libvirt recorded (read from each snapshot's XML). */
export async function listSnapshots(
  client: LibvirtClient,
  uuid: string,
  vmName: string,
  signal: AbortSignal,
): Promise<Snapshot[]> {
  const [names, current] = await Promise.all([
    snapshotNames(client, uuid, vmName, signal),
    currentSnapshot(client, uuid, vmName, signal),
  ]);
  // A few virsh processes at a time: a VM with many snapshots must not fork dozens at once.
  const snapshots = await mapInBatches(names, 4, async (name) => {
    const xml = await client.virsh(
      ['snapshot-dumpxml', '--domain', uuid, '--snapshotname', name],
      `reading snapshot "${name}" of VM "${vmName}"`,
      { signal },
    );
    return snapshotFromXml(xml, name, current);
  });
  return snapshots.sort(
    (a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.name.localeCompare(b.name),
  );
}

export async function snapshotFromXml(
  xml: string,
  fallbackName: string,
  current: string | null,
): Promise<Snapshot> {
  const root = child(await parseDomainXml(xml), 'domainsnapshot') ?? {};
  const name = text(root, 'name') ?? fallbackName;
  const created = Number(text(root, 'creationTime'));
  return {
    name,
    description: text(root, 'description') ?? null,
    createdAt: Number.isFinite(created) && created > 0 ? new Date(created * 1000).toISOString() : null,
    state: text(root, 'state') ?? null,
    parent: text(child(root, 'parent'), 'name') ?? null,
    current: name === current,
  };
}

/** Refuses (listing what exists) when the VM has no snapshot of that name. */
export async function requireSnapshot(
  client: LibvirtClient,
  uuid: string,
  vmName: string,
  snapshot: string,
  signal: AbortSignal,
): Promise<void> {
  const names = await snapshotNames(client, uuid, vmName, signal);
  if (names.includes(snapshot)) return;
  const known = names.length
    ? `Its snapshots: ${names
        .slice(0, 20)
        .map((n) => `"${n}"`)
        .join(', ')}${names.length > 20 ? ', …' : ''}.`
    : 'It has no snapshots.';
  throw new NotFoundError(`VM "${vmName}" has no snapshot named "${snapshot}". ${known}`);
}
