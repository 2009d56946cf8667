import type { DiskUser } from '../../../backends/vm/disk-users.js';
import type { ToolContext } from '../../context.js';

/**
 * Says which VMs use a disk image, as far as the caller may know them: VMs the owner's filters hide
 * are never named (not even counted), only "another VM" — so a refusal cannot be used to find out
 * what a hidden VM is called. Gives a clause with its verb: `another VM uses it`, `VM "a" uses it`,
 * `VMs "a" and "b" use it`, `VMs "a", "b" and another VM use it`.
 */
export function diskUsersClause(users: ReadonlyArray<DiskUser>, ctx: Pick<ToolContext, 'visible'>): string {
  const named = users.filter((u) => ctx.visible('vm', u.name)).map((u) => JSON.stringify(u.name));
  const hidden = named.length < users.length;
  if (!named.length) return 'another VM uses it';
  const list =
    named.length === 1
      ? named[0]
      : `${named.slice(0, -1).join(', ')}${hidden ? ', ' : ' and '}${named.at(-1)}`;
  const who = `VM${named.length > 1 ? 's' : ''} ${list}${hidden ? ' and another VM' : ''}`;
  return `${who} ${named.length > 1 || hidden ? 'use' : 'uses'} it`;
}
