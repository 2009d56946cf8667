import { DOMAIN_STATE } from './libvirt-constants.js';

/** A domain's state in the words virsh and Unraid's VM page use. */
export const VM_STATES = [
  'no state',
  'running',
  'idle',
  'paused',
  'in shutdown',
  'shut off',
  'crashed',
  'pmsuspended',
] as const;
export type VmState = (typeof VM_STATES)[number];

const BY_CODE: Readonly<Record<number, VmState>> = {
  [DOMAIN_STATE.NOSTATE]: 'no state',
  [DOMAIN_STATE.RUNNING]: 'running',
  [DOMAIN_STATE.BLOCKED]: 'idle',
  [DOMAIN_STATE.PAUSED]: 'paused',
  [DOMAIN_STATE.SHUTDOWN]: 'in shutdown',
  [DOMAIN_STATE.SHUTOFF]: 'shut off',
  [DOMAIN_STATE.CRASHED]: 'crashed',
  [DOMAIN_STATE.PMSUSPENDED]: 'pmsuspended',
};

export const stateName = (code: number): VmState => BY_CODE[code] ?? 'no state';

/** Running in the sense that matters for stop/pause/reboot: the guest is executing (or blocked on I/O). */
export const isActive = (state: VmState): boolean =>
  state === 'running' || state === 'idle' || state === 'in shutdown';
