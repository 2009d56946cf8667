// The built sidecar (dist/), started the way the benches measure it: with the V8 flags its launcher
// uses in production (package.json → unraidMcp.nodeFlags), ready once it prints its MCP URL.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './children.mjs';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const SIDECAR_MAIN = join(REPO, 'dist/server/main.js');
export const SIDECAR_NODE_FLAGS = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  .unraidMcp.nodeFlags.split(' ')
  .filter(Boolean);

/**
 * Starts `unraid-mcp serve` with `env`, logging to `work`/`logName` (sidecar.log); `srv.match[1]` is
 * the MCP URL. `nodeArgs` go after the production flags (e.g. --cpu-prof); `main` is another build's
 * main.js to measure instead of this checkout's.
 */
export function startBuiltSidecar(
  env,
  work,
  { nodeArgs = [], logName = 'sidecar.log', main = SIDECAR_MAIN } = {},
) {
  return startServer({
    name: 'unraid-mcp',
    command: process.execPath,
    args: [...SIDECAR_NODE_FLAGS, ...nodeArgs, main, 'serve'],
    env,
    cwd: REPO,
    readyOn: 'stdout',
    readyPattern: /MCP URL (http:\/\/\S+)/,
    logPath: join(work, logName),
  });
}
