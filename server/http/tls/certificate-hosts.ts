/**
 * The host names a certificate serves this server under, the way the WebGUI's nginx names itself
 * with it: an exact DNS name as it is; a myunraid.net wildcard (`*.<hash>.myunraid.net`) as one
 * name per LAN address, its dots and colons turned into dashes (`192-168-1-10.<hash>.myunraid.net`,
 * which Lime Technology's DNS answers with that address); any other wildcard with the server's name
 * in place of the star. Clients reach the server by these names, so the Host/Origin check accepts
 * them and the Connect view offers them.
 */
export function certificateHosts(
  names: ReadonlyArray<string>,
  addresses: ReadonlyArray<string>,
  hostName: string,
): string[] {
  const server = (hostName.split('.')[0] ?? hostName).toLowerCase();
  const hosts: string[] = [];
  for (const name of names) {
    if (!name.startsWith('*.')) {
      hosts.push(name.toLowerCase());
      continue;
    }
    const suffix = name.slice(2).toLowerCase();
    if (suffix.endsWith('.myunraid.net'))
      for (const a of addresses) hosts.push(`${a.toLowerCase().replace(/[.:]/g, '-')}.${suffix}`);
    else hosts.push(`${server}.${suffix}`);
  }
  return [...new Set(hosts)];
}
