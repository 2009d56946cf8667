import type { Request } from 'express';

/**
 * Who made an admin change, for the audit log: the WebGUI bridge or the CLI. Anyone who can reach the
 * admin socket is root already, so this is a label for the record, not an authentication.
 */
export type Actor = 'webgui' | 'cli';

export function actorOf(req: Request): Actor {
  return req.headers['x-unraid-mcp-actor'] === 'cli' ? 'cli' : 'webgui';
}
