/**
 * One plain line for a port a listener cannot have (in use, or reserved for root), naming the
 * setting that changes it; null for any other error, which keeps its stack trace.
 */
export function portProblem(
  err: unknown,
  where: { port: number; host: string },
  setting: string,
): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const at = `port ${where.port} on ${where.host.includes(':') ? `[${where.host}]` : where.host}`;
  if (code === 'EADDRINUSE')
    return `${at} is already in use by another program. Stop that program, or set ${setting} to a free port.`;
  if (code === 'EACCES')
    return `${at} may not be opened by this user (ports below 1024 need root). Set ${setting} to a port above 1023.`;
  if (code === 'EADDRNOTAVAIL')
    return `${at} cannot be opened: ${where.host} is not an address of this machine. Check UNRAID_MCP_HOST.`;
  return null;
}
