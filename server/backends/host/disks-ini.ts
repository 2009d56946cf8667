import type { EmhttpIni, IniValues } from './emhttp-ini.js';
import { reader } from './ini-values.js';
import {
  describeDiskStatus,
  describeLuksState,
  roleFromType,
  type DiskEncryption,
  type DiskRole,
} from './disk-status.js';
import { assignPools, type PoolInfo } from './pools.js';

export interface DiskFilesystem {
  type: string | null;
  status: string | null;
  sizeBytes: number | null;
  usedBytes: number | null;
  freeBytes: number | null;
}

/** One section of disks.ini: an array slot, a pool device or the boot device. */
export interface DiskInfo {
  name: string;
  slot: number | null;
  role: DiskRole;
  typeRaw: string | null;
  pool: string | null;
  present: boolean;
  device: string | null;
  id: string | null;
  transport: string | null;
  rotational: boolean | null;
  status: string | null;
  health: string;
  needsAttention: boolean;
  temperatureC: number | null;
  spunDown: boolean;
  sizeBytes: number | null;
  filesystem: DiskFilesystem | null;
  encryption: DiskEncryption | null;
  reads: number | null;
  writes: number | null;
  errors: number | null;
}

export interface DisksReport {
  disks: DiskInfo[];
  pools: PoolInfo[];
}

/**
 * Builds the disk list from disks.ini alone — it is emhttp's cached view, so reading it never wakes a
 * sleeping disk (no smartctl, nothing under /dev).
 */
export function readDisks(ini: EmhttpIni): DisksReport {
  const entries = [...ini.sections].map(([section, values]) => ({ disk: readDisk(section, values), values }));
  const pools = assignPools(entries);
  return { disks: entries.map((e) => e.disk), pools };
}

function readDisk(section: string, values: IniValues): DiskInfo {
  const r = reader(values);
  const role = roleFromType(r.str('type'));
  const device = r.str('device');
  const present = device !== null;
  const { health, needsAttention } = describeDiskStatus(
    r.str('status'),
    role,
    r.str('idSb') !== null || present,
  );
  const fsType = r.str('fsType');
  return {
    name: r.str('name') ?? section,
    slot: r.num('idx'),
    role,
    typeRaw: r.str('type'),
    pool: null,
    present,
    device,
    id: r.str('id'),
    transport: r.str('transport'),
    rotational: r.bool('rotational'),
    status: r.str('status'),
    health,
    needsAttention,
    ...temperature(values, present, r.bool('rotational')),
    sizeBytes: present ? r.bytes('size') : null,
    filesystem: present && values.has('fsType') ? readFilesystem(values) : null,
    encryption: present ? describeLuksState(r.num('luksState'), fsType) : null,
    reads: r.num('numReads'),
    writes: r.num('numWrites'),
    errors: r.num('numErrors'),
  };
}

/**
 * `spundown="1"` is authoritative. Builds without the key mark a sleeping disk only by `temp="*"`, which
 * we read as spun down for a present rotational disk; elsewhere `*` just means "no sensor" (USB flash,
 * empty slot) and is not reported as spun down.
 */
function temperature(values: IniValues, present: boolean, rotational: boolean | null) {
  const r = reader(values);
  const flag = r.bool('spundown');
  const spunDown = flag ?? (values.get('temp') === '*' && present && rotational === true);
  return { temperatureC: spunDown ? null : r.num('temp'), spunDown };
}

function readFilesystem(values: IniValues): DiskFilesystem {
  const r = reader(values);
  const status = r.str('fsStatus');
  return {
    type: r.str('fsType'),
    status: status === '-' ? null : status,
    sizeBytes: r.bytes('fsSize'),
    usedBytes: r.bytes('fsUsed'),
    freeBytes: r.bytes('fsFree'),
  };
}
