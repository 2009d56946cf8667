/** A daemon's TCP address as `host:port` (IPv6 in brackets: `[::1]:3493`). */
export interface TcpAddress {
  host: string;
  port: number;
}

const ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** The address, or a sentence saying what is wrong with the text. */
export function parseTcpAddress(text: string): TcpAddress | string {
  const m = ADDRESS.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 1 && port <= 65535))
    return `"${text}" is not a host:port address (e.g. 127.0.0.1:3551; IPv6 as [::1]:3551)`;
  return { host: m[1] ?? m[2]!, port };
}

/** The address as written in messages: host:port, IPv6 in brackets. */
export function formatTcpAddress(a: TcpAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
