import type { IniValues } from './emhttp-ini.js';
import { reader } from './ini-values.js';

export interface PoolInfo {
  name: string;
  members: string[];
  slots: number | null;
  filesystem: string | null;
  profile: string | null;
  status: string | null;
  sizeBytes: number | null;
  usedBytes: number | null;
  freeBytes: number | null;
  bootPool: boolean;
}

interface PoolMemberCandidate {
  name: string;
  role: string;
  pool: string | null;
}

const NUMBERED = /^(.*?)(\d+)$/;

/**
 * Groups pool devices (`type="Cache"`) into pools and sets each device's `pool`.
 *
 * disks.ini has no explicit membership field. The rule, as emhttp names things: the first device of a
 * pool is the section named after the pool and carries the pool-wide fields (`slots`, `devices`,
 * `fsSize`/`fsUsed`/`fsFree`, `fsProfile`, `nameOrig`); devices 2..N are the sections named
 * `<pool><n>` (6.11: `cache`, `cache2`; 7.x: `raid`, `raid2`, `raid3`). Unraid forbids pool names that
 * end in a digit precisely so this naming is unambiguous. A `<pool><n>` section is a member when its
 * base name is a pool seen earlier and n ≤ that pool's `slots` (or slots is unknown); anything else
 * starts a pool of its own. Mutates `disks[].pool`.
 */
export function assignPools(entries: Array<{ disk: PoolMemberCandidate; values: IniValues }>): PoolInfo[] {
  const pools = new Map<string, PoolInfo>();
  for (const { disk, values } of entries) {
    if (disk.role !== 'pool') continue;
    const m = NUMBERED.exec(disk.name);
    const head = m?.[1] ? pools.get(m[1]) : undefined;
    const n = m?.[2] ? Number(m[2]) : 0;
    if (head && n >= 2 && (head.slots === null || n <= head.slots)) {
      disk.pool = head.name;
      head.members.push(disk.name);
      continue;
    }
    const pool = readPoolHead(disk.name, values);
    pools.set(pool.name, pool);
    disk.pool = pool.name;
  }
  return [...pools.values()];
}

function readPoolHead(name: string, values: IniValues): PoolInfo {
  const r = reader(values);
  const status = r.str('fsStatus');
  return {
    name,
    members: [name],
    slots: r.num('slots'),
    filesystem: r.str('fsType'),
    profile: r.str('fsProfile'),
    status: status === '-' ? null : status,
    sizeBytes: r.bytes('fsSize'),
    usedBytes: r.bytes('fsUsed'),
    freeBytes: r.bytes('fsFree'),
    bootPool: r.bool('bootPool') ?? false,
  };
}
