import type { LibvirtClient, LibvirtOps } from './libvirt-client.js';
import type { Domain } from '@unraid/libvirt';
import { attr, child, children, parseDomainXml } from './domain-xml.js';
import { imageIdentity } from './image-identity.js';
import { LIST_ALL, XML_INACTIVE } from './libvirt-constants.js';
import { mapInBatches } from '../../util/map-in-batches.js';

/** A VM that uses a disk image: enough for a caller to name it, or not, as the filters allow. */
export interface DiskUser {
  name: string;
  uuid: string;
}

/**
 * The host files a domain definition reads or writes as disks: every `<disk>` source (disk, CD-ROM,
 * floppy or LUN) that is a file or a block device, and the backing files beneath it — deleting the
 * base image of another VM's qcow2 overlay breaks that VM just as surely as deleting its top image.
 */
export async function diskFiles(xml: string): Promise<string[]> {
  const domain = child(await parseDomainXml(xml), 'domain');
  const files: string[] = [];
  for (const disk of children(child(domain, 'devices'), 'disk')) {
    for (let layer: Record<string, unknown> | undefined = disk; layer; layer = child(layer, 'backingStore')) {
      const source = child(layer, 'source');
      const file = attr(source, 'file') ?? attr(source, 'dev');
      if (file?.startsWith('/')) files.push(file);
    }
  }
  return files;
}

/**
 * For each of `paths`, the VMs other than `exceptUuid` whose definitions use the same file (compared by
 * imageIdentity, so links and `..` do not hide a match). Reads every domain, running or not: the live
 * definition and, for a running one, the stored one too (a disk attached while it runs is in the
 * first, a disk it will use at its next start in the second). A domain undefined meanwhile is skipped.
 */
export async function vmsUsingImages(
  client: LibvirtClient,
  paths: ReadonlyArray<string>,
  exceptUuid?: string,
): Promise<Map<string, DiskUser[]>> {
  const wanted = new Map<string, string[]>();
  for (const path of paths) {
    const key = await imageIdentity(path);
    wanted.set(key, [...(wanted.get(key) ?? []), path]);
  }
  const result = new Map<string, DiskUser[]>(paths.map((p) => [p, []]));
  if (!paths.length) return result;
  const domains = await client.call('Reading which VMs use which disk images', readAllDomains, {
    retry: true,
  });
  for (const { user, xmls } of domains) {
    if (user.uuid === exceptUuid) continue;
    const files = new Set((await Promise.all(xmls.map(diskFiles))).flat());
    const keys = new Set(await Promise.all([...files].map(imageIdentity)));
    const hits = new Set([...keys].flatMap((k) => wanted.get(k) ?? []));
    for (const path of hits) result.get(path)?.push(user);
  }
  for (const users of result.values()) users.sort((a, b) => a.name.localeCompare(b.name));
  return result;
}

interface DomainDisks {
  user: DiskUser;
  xmls: string[];
}

async function readAllDomains(lv: LibvirtOps): Promise<DomainDisks[]> {
  const [active, inactive] = await Promise.all([lv.listAll(LIST_ALL.ACTIVE), lv.listAll(LIST_ALL.INACTIVE)]);
  const read =
    (running: boolean) =>
    async (d: Domain): Promise<DomainDisks | null> => {
      try {
        const [name, uuid, ...xmls] = await Promise.all([
          lv.name(d),
          lv.uuid(d),
          lv.xml(d),
          ...(running ? [lv.xml(d, XML_INACTIVE)] : []),
        ]);
        return { user: { name, uuid }, xmls };
      } catch (err) {
        if (err instanceof Error && /domain not found|no domain with matching/i.test(err.message))
          return null;
        throw err;
      }
    };
  // A few dozen at a time, as listVms does: the calls share libvirt's small thread pool anyway.
  const rows = [
    ...(await mapInBatches(active, 32, read(true))),
    ...(await mapInBatches(inactive, 32, read(false))),
  ];
  return rows.filter((r): r is DomainDisks => r !== null);
}
