/** Where Unraid keeps VM disks and install media, and the bridge new VMs join (Settings → VM Manager). */
export interface VmShares {
  domainsDir: string;
  isoDir: string;
  bridge: string;
}

export const DEFAULT_VM_SHARES: VmShares = {
  domainsDir: '/mnt/user/domains',
  isoDir: '/mnt/user/isos',
  bridge: 'br0',
};
