/**
 * Plain-language meaning of emhttp's disk status codes and LUKS states, following what the Unraid
 * WebGUI shows for each (Main page device table). A model reading "DISK_NP_DSBL" cannot tell an empty
 * parity2 slot from a failed disk; these words can.
 */

export interface DiskHealth {
  health: string;
  /** True when the owner should look at this device (disabled, missing, invalid, wrong, unknown). */
  needsAttention: boolean;
}

export type DiskRole = 'parity' | 'data' | 'pool' | 'boot' | 'other';

/**
 * @param assigned whether the slot ever had a device (`idSb` set): `DISK_NP_DSBL` on a never-assigned
 *   parity slot is just an empty slot, on an assigned one it is a disabled device that is gone.
 */
export function describeDiskStatus(status: string | null, role: DiskRole, assigned: boolean): DiskHealth {
  const isParity = role === 'parity';
  switch (status) {
    case 'DISK_OK':
      return { health: 'healthy', needsAttention: false };
    case 'DISK_NP':
      return { health: 'not installed (empty slot)', needsAttention: false };
    case 'DISK_NP_DSBL':
      if (!assigned) return { health: 'not installed (empty slot)', needsAttention: false };
      return {
        health: isParity
          ? 'disabled — parity device missing'
          : 'disabled — device missing, contents emulated from parity',
        needsAttention: true,
      };
    case 'DISK_NP_MISSING':
      return { health: 'missing — the assigned device was not found', needsAttention: true };
    case 'DISK_DSBL':
      return {
        health: isParity ? 'disabled — parity is not valid' : 'disabled — emulated from parity',
        needsAttention: true,
      };
    case 'DISK_DSBL_NEW':
      return {
        health: 'disabled — replacement device will be rebuilt when the array starts',
        needsAttention: true,
      };
    case 'DISK_INVALID':
      return {
        health: 'invalid — contents are not valid (needs a parity sync or rebuild)',
        needsAttention: true,
      };
    case 'DISK_WRONG':
      return {
        health: 'wrong disk — a different device than the one assigned is in this slot',
        needsAttention: true,
      };
    case 'DISK_NEW':
      return { health: 'new — device not yet part of the array or pool', needsAttention: false };
    case null:
      return { health: 'unknown (no status reported)', needsAttention: true };
    default:
      return { health: `unknown status (${status})`, needsAttention: true };
  }
}

export const DISK_ENCRYPTION = [
  'none',
  'to_be_encrypted',
  'encrypted',
  'locked_missing_key',
  'locked_wrong_key',
  'locked_error',
] as const;
export type DiskEncryption = (typeof DISK_ENCRYPTION)[number];

/**
 * disks.ini `luksState`: 0 = not encrypted (or pending, when fsType is `luks:*`), 1 = encrypted (unlocked
 * while the array runs), 2 = locked: missing key, 3 = locked: wrong key, other = locked: error.
 * Null when the device has no luksState (parity, flash).
 */
export function describeLuksState(luksState: number | null, fsType: string | null): DiskEncryption | null {
  if (luksState === null) return null;
  switch (luksState) {
    case 0:
      return fsType?.startsWith('luks:') ? 'to_be_encrypted' : 'none';
    case 1:
      return 'encrypted';
    case 2:
      return 'locked_missing_key';
    case 3:
      return 'locked_wrong_key';
    default:
      return 'locked_error';
  }
}

/** disks.ini `type` → role. `Flash` (≤7.2) and `Boot` (7.3 boot pool) are both the boot device. */
export function roleFromType(type: string | null): DiskRole {
  switch (type?.toLowerCase()) {
    case 'parity':
      return 'parity';
    case 'data':
      return 'data';
    case 'cache':
      return 'pool';
    case 'flash':
    case 'boot':
      return 'boot';
    default:
      return 'other';
  }
}
