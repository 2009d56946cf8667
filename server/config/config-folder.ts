import { statSync } from 'node:fs';
import { ConfigError, type ConfigProblem } from '../errors/config-error.js';

/**
 * The configuration folder must exist before anything in it can be listed or checked: a missing one
 * usually means UNRAID_MCP_CONFIG_DIR points at the wrong place, which "no tokens" or "valid" would
 * hide. Returns the problem, or null when the folder is there.
 */
export function configFolderProblem(configDir: string): ConfigProblem | null {
  const problem = (message: string): ConfigProblem => ({ file: configDir, field: '(folder)', message });
  try {
    if (statSync(configDir).isDirectory()) return null;
    return problem('is not a folder. Set UNRAID_MCP_CONFIG_DIR to the folder that holds the configuration.');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return problem(`cannot be read: ${code ?? String(err)}`);
    return problem(
      'does not exist. Set UNRAID_MCP_CONFIG_DIR to the folder that holds tokens.json, unraid-mcp.cfg and ' +
        'policy.json, or create the first token ("unraid-mcp token create --name NAME --scope read"), ' +
        'which creates the folder.',
    );
  }
}

/** Throws a ConfigError naming the configuration folder when it is missing. */
export function requireConfigFolder(configDir: string): void {
  const problem = configFolderProblem(configDir);
  if (problem) throw new ConfigError([problem]);
}
