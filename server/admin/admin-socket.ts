import { connect } from 'node:net';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Readies the admin socket path: its directory 0700, and a socket file left by a crashed instance
 * removed — but only when nothing answers on it, so a second instance never steals a live socket.
 */
export async function prepareAdminSocket(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const st = await lstat(path).catch(() => null);
  if (!st) return;
  if (!st.isSocket())
    throw new Error(`${path} exists and is not a socket; remove it or set UNRAID_MCP_ADMIN_SOCKET`);
  const live = await new Promise<boolean>((resolve) => {
    const sock = connect(path);
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another unraid-mcp is already running (its admin socket ${path} answers)`);
  await unlink(path);
}

/** Only root (the WebGUI's PHP and the CLI) may talk to the admin API. */
export async function restrictAdminSocket(path: string): Promise<void> {
  await chmod(path, 0o600);
}
