import type { EmhttpIni, IniValues } from './emhttp-ini.js';
import { reader } from './ini-values.js';

export type MoverDirection = 'primary_to_secondary' | 'secondary_to_primary';
export type ShareEncryption = 'none' | 'all_encrypted' | 'partly_unencrypted' | 'unknown';

export interface ShareStorage {
  useCache: string | null;
  cachePool: string | null;
  cachePool2: string | null;
  primary: string | null;
  secondary: string | null;
  moverDirection: MoverDirection | null;
  description: string;
}

export interface ShareInfo {
  name: string;
  comment: string | null;
  allocator: string | null;
  splitLevel: string | null;
  splitLevelDescription: string;
  floorBytes: number | null;
  includeDisks: string[];
  excludeDisks: string[];
  storage: ShareStorage;
  cow: string | null;
  sizeBytes: number | null;
  usedBytes: number | null;
  freeBytes: number | null;
  encryption: ShareEncryption | null;
}

/** Reads every share section of shares.ini, in file order. */
export function readShares(ini: EmhttpIni): ShareInfo[] {
  return [...ini.sections].map(([section, values]) => readShare(section, values));
}

const list = (raw: string | null) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function readShare(section: string, values: IniValues): ShareInfo {
  const r = reader(values);
  const size = r.bytes('size');
  return {
    name: r.str('name') ?? section,
    comment: r.str('comment'),
    allocator: r.str('allocator'),
    splitLevel: r.str('splitLevel'),
    splitLevelDescription: describeSplitLevel(r.str('splitLevel')),
    floorBytes: r.bytes('floor'),
    includeDisks: list(r.str('include')),
    excludeDisks: list(r.str('exclude')),
    storage: readStorage(r.str('useCache'), r.str('cachePool'), r.str('cachePool2')),
    cow: r.str('cow'),
    // emhttp writes size="0" until someone presses "Compute" in the WebGUI: 0 means "not computed".
    sizeBytes: size === 0 ? null : size,
    usedBytes: r.bytes('used'),
    freeBytes: r.bytes('free'),
    encryption: readShareLuks(r.num('luksStatus')),
  };
}

function describeSplitLevel(level: string | null): string {
  if (level === null) return 'automatic — split any directory as required';
  if (level === '0') return 'manual — never split directories automatically';
  if (level === '1') return 'automatic — split only the top-level directory as required';
  if (/^\d+$/.test(level)) return `automatic — split only the top ${level} directory levels as required`;
  return `unrecognised split level (${level})`;
}

/**
 * useCache (the 6.12+ "primary/secondary storage" settings):
 *   no     → array only; `cachePool` is ignored.
 *   only   → pool only; the mover leaves the share alone.
 *   yes    → new files land on the pool; the mover moves them to the secondary (array, or `cachePool2` on 7.x).
 *   prefer → new files land on the pool; the mover moves files back from the secondary to the pool.
 */
export function readStorage(
  useCache: string | null,
  cachePool: string | null,
  cachePool2: string | null,
): ShareStorage {
  const base = { useCache, cachePool, cachePool2 };
  const first = cachePool ? `pool '${cachePool}'` : 'the pool';
  const second = cachePool2 ? `pool '${cachePool2}'` : 'the array';
  const secondary = cachePool2 ?? 'array';
  switch (useCache) {
    case 'no':
      return {
        ...base,
        primary: 'array',
        secondary: null,
        moverDirection: null,
        description: 'array only — files are written to the array; no pool is used',
      };
    case 'only':
      return {
        ...base,
        primary: cachePool,
        secondary: null,
        moverDirection: null,
        description: `pool only — files stay on ${first}; the mover does not touch this share`,
      };
    case 'yes':
      return {
        ...base,
        primary: cachePool,
        secondary,
        moverDirection: 'primary_to_secondary',
        description: `new files land on ${first}; the mover moves them to ${second}`,
      };
    case 'prefer':
      return {
        ...base,
        primary: cachePool,
        secondary,
        moverDirection: 'secondary_to_primary',
        description: `prefers ${first} — the mover moves files from ${second} back to it when it has space`,
      };
    default:
      return {
        ...base,
        primary: null,
        secondary: null,
        moverDirection: null,
        description: useCache === null ? 'not set' : `unrecognised setting (${useCache})`,
      };
  }
}

/** shares.ini luksStatus: 0 = not encrypted, 1 = all files encrypted, 2 = some or all files not encrypted. */
function readShareLuks(status: number | null): ShareEncryption | null {
  if (status === null) return null;
  if (status === 0) return 'none';
  if (status === 1) return 'all_encrypted';
  if (status === 2) return 'partly_unencrypted';
  return 'unknown';
}
