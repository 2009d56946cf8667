import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { writtenPathProblem, normaliseHostPath } from '../../util/host-path.js';
import { resolveHostPath } from '../../util/resolve-host-path.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { PolicyDeniedError } from '../../errors/policy-denied-error.js';
import { quoteUntrusted } from '../../util/quote-untrusted.js';
import type { VmShares } from '../../config/vm-shares.js';

const inside = (p: string, dir: string) => p.startsWith(`${dir}/`);

/**
 * Where a path given for a VM really leads, refused unless it lies inside `shareDir` (itself
 * resolved, so a share that is a link still works). The path is checked as written (no `..`,
 * percent-encoding or control characters), then every link along it is followed, so a link inside
 * the share that points at `/` or at another share is caught.
 */
export async function resolveInsideShare(
  raw: string,
  shareDir: string,
  label: string,
  shareName: string,
): Promise<string> {
  const problem = writtenPathProblem(raw);
  if (problem) throw new InvalidInputError(`${label} ${quoteUntrusted(raw)} ${problem}.`);
  const [real, share] = await Promise.all([
    resolveHostPath(normaliseHostPath(raw)),
    resolveHostPath(normaliseHostPath(shareDir)),
  ]);
  if (!real.ok) throw new InvalidInputError(`${label} ${quoteUntrusted(raw)} ${real.reason}.`);
  if (!share.ok) throw new InvalidInputError(`The ${shareName} (${shareDir}) ${share.reason}.`);
  if (!inside(real.path, share.path)) {
    const via = real.path === normaliseHostPath(raw) ? '' : ` (it leads to ${real.path})`;
    throw new PolicyDeniedError(
      'vm_path',
      `${label} ${quoteUntrusted(raw)} is outside the ${shareName} ${shareDir}${via}; VM disks and ISOs must lie inside their shares.`,
    );
  }
  return real.path;
}

/** Refuses unless `path` is an existing regular file. */
export async function requireFile(path: string, label: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InvalidInputError(`${label} ${quoteUntrusted(path)} does not exist.`);
  if (!info.isFile()) throw new InvalidInputError(`${label} ${quoteUntrusted(path)} is not a file.`);
}

/** The folder Unraid gives a VM's disks: `<domains share>/<VM name>`. */
export const vmFolder = (shares: VmShares, vmName: string): string => posix.join(shares.domainsDir, vmName);
