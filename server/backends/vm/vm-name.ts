/** libvirt refuses longer names on several drivers; Unraid's VM page stays well below. */
export const MAX_VM_NAME = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (ref: string): boolean => UUID.test(ref);

/**
 * What is wrong with a VM name, or null. Unraid's VM names hold spaces, parentheses and letters of
 * any language ("Windows 11 (Gaming)"), so those pass; control characters, "/" (a path separator in
 * libvirt's files), leading or trailing spaces and over-long names do not.
 */
export function vmNameProblem(name: string): string | null {
  if (!name) return 'is empty';
  if (name.length > MAX_VM_NAME) return `is longer than ${MAX_VM_NAME} characters`;
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name)) return 'contains control or invisible formatting characters';
  if (name.includes('/')) return 'contains "/"';
  if (name.trim() !== name) return 'starts or ends with a space';
  if (name.startsWith('-')) return 'starts with "-"';
  // The name is also the folder of the VM's disks in the domains share.
  if (name === '.' || name === '..') return 'is "." or ".."';
  return null;
}
