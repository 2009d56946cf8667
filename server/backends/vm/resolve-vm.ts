import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { quoteUntrusted } from '../../util/quote-untrusted.js';
import type { LibvirtClient } from './libvirt-client.js';
import { isUuid, vmNameProblem } from './vm-name.js';
import type { ResolvedTarget } from '../../vocabulary.js';

/**
 * Resolves a VM reference — a UUID, else a name — to the VM's UUID and current name, so filters and
 * protection always see the real name. Tools then act on the UUID: a VM renamed or replaced after
 * the check is never the one acted on by mistake.
 */
export async function resolveVm(client: LibvirtClient, ref: string): Promise<ResolvedTarget> {
  const problem = vmNameProblem(ref);
  if (problem) throw new InvalidInputError(`${quoteUntrusted(ref)} is not a VM name or UUID: it ${problem}.`);
  try {
    return await client.call(
      `Looking up VM ${quoteUntrusted(ref)}`,
      async (lv) => {
        const domain = isUuid(ref) ? await lv.lookupByUuid(ref.toLowerCase()) : await lv.lookupByName(ref);
        const [name, uuid] = await Promise.all([lv.name(domain), lv.uuid(domain)]);
        return { kind: 'vm' as const, id: uuid, name, labels: {} };
      },
      { retry: true },
    );
  } catch (err) {
    if (err instanceof ToolError && err.code === 'not_found') {
      throw new NotFoundError(`No VM named or with UUID ${quoteUntrusted(ref)}. Use vm_list to see the VMs.`);
    }
    throw err;
  }
}
