import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { XML_INACTIVE, XML_SECURE } from '../../backends/vm/libvirt-constants.js';
import { redactDomainXml } from '../../backends/vm/redact-domain-xml.js';
import { targetOf } from './shared/vm-target.js';
import { vmRef } from './shared/vm-schemas.js';

export const vmXml = defineTool({
  name: 'vm_xml',
  title: 'Show a VM definition (XML)',
  description:
    "Returns a VM's libvirt domain XML, with graphics passwords replaced by [redacted]. By default the live " +
    'definition of a running VM; `inactive: true` gives the stored one it boots with next time (they differ ' +
    'after a device hot-plug). For a readable summary use vm_inspect.',
  toolset: 'vm',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      id: vmRef,
      inactive: z
        .boolean()
        .default(false)
        .describe('The stored definition used at next boot instead of the live one'),
    })
    .strict(),
  output: z.object({ name: z.string(), uuid: z.string(), xml: z.string() }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  run: async ({ id, inactive }, ctx) => {
    const { uuid, name } = targetOf(ctx, id);
    // Fetched with secrets so that redaction, not libvirt's omission, is what keeps them out: the
    // reader sees that a password is set.
    const xml = await ctx.deps.libvirt.call(
      `Reading the definition of VM "${name}"`,
      async (lv) => lv.xml(await lv.lookupByUuid(uuid), XML_SECURE | (inactive ? XML_INACTIVE : 0)),
      { retry: true },
    );
    return { name, uuid, xml: await redactDomainXml(xml) };
  },
});
