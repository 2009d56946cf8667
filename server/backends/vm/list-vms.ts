import type { LibvirtClient, LibvirtOps } from './libvirt-client.js';
import { LIST_ALL } from './libvirt-constants.js';
import { stateName, type VmState } from './vm-state.js';
import { mapInBatches } from '../../util/map-in-batches.js';

/** One VM as vm_list reports it (its output schema lives with the tool). */
export interface VmSummary {
  name: string;
  uuid: string;
  state: VmState;
  vcpus: number;
  memoryBytes: number;
  maxMemoryBytes: number;
  autostart: boolean;
}

/**
 * Every VM with its state, vCPUs, memory and autostart flag: one list call for all domains, one for
 * the autostart ones, then name, UUID and getInfo per domain — no domain XML is fetched or parsed.
 * A VM undefined between the list and its getInfo is left out rather than failing the whole list.
 */
export function listVms(client: LibvirtClient): Promise<VmSummary[]> {
  return client.call(
    'Listing VMs',
    async (lv) => {
      const [all, autostart] = await Promise.all([
        lv.listAll(LIST_ALL.ACTIVE | LIST_ALL.INACTIVE),
        autostartUuids(lv),
      ]);
      // A few dozen domains at a time: as fast as all at once (the calls share libuv's small thread
      // pool anyway) with a fraction of the pending promises — a 500-VM list stays light.
      const rows = await mapInBatches(all, 32, async (d) => {
        try {
          const [name, uuid, info] = await Promise.all([lv.name(d), lv.uuid(d), lv.info(d)]);
          return {
            name,
            uuid,
            state: stateName(info.state),
            vcpus: info.nrVirtCpu,
            memoryBytes: info.memory * 1024,
            maxMemoryBytes: info.maxMem * 1024,
            autostart: autostart.has(uuid),
          };
        } catch (err) {
          if (err instanceof Error && /domain not found|no domain with matching/i.test(err.message))
            return null;
          throw err;
        }
      });
      // libvirt's list order is not stable between calls; callers get a stable one.
      return rows.filter((r): r is VmSummary => r !== null).sort((a, b) => a.name.localeCompare(b.name));
    },
    { retry: true },
  );
}

/**
 * UUIDs of the VMs with a property libvirt can filter on itself (autostart, has snapshots): one list
 * call plus a UUID per matching VM, through the binding — no virsh process, no XML.
 */
async function uuidsWhere(lv: LibvirtOps, flag: number): Promise<Set<string>> {
  const domains = await lv.listAll(LIST_ALL.ACTIVE | LIST_ALL.INACTIVE | flag);
  return new Set(await Promise.all(domains.map((d) => lv.uuid(d))));
}

export const autostartUuids = (lv: LibvirtOps): Promise<Set<string>> => uuidsWhere(lv, LIST_ALL.AUTOSTART);
export const withSnapshotsUuids = (lv: LibvirtOps): Promise<Set<string>> =>
  uuidsWhere(lv, LIST_ALL.HAS_SNAPSHOT);
