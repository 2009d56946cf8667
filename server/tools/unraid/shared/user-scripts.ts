import { InvalidInputError } from '../../../errors/invalid-input-error.js';
import { NotFoundError } from '../../../errors/not-found-error.js';
import { listScriptFolders, type UserScriptsPaths } from '../../../backends/unraid/user-scripts.js';
import type { ToolContext } from '../../context.js';
import { unraidLayout } from './unraid-layout.js';

export function userScriptsPaths(ctx: ToolContext): UserScriptsPaths {
  const layout = unraidLayout(ctx);
  return { dir: layout.userScriptsDir, tmpDir: layout.userScriptsTmpDir };
}

/** The plugin's runner puts the script's path inside double quotes on a shell line: these would be read by that shell. */
const SHELL_ACTIVE = /["$`\\\n\r]/;

/**
 * The script folder `name` names, found in the plugin's own folder listing — never joined onto a path
 * as given. A path-like name is refused before anything is looked at.
 */
export async function findScriptFolder(ctx: ToolContext, name: string): Promise<string> {
  if (name === '.' || name === '..' || /[/\\\0]/.test(name))
    throw new InvalidInputError(
      `"${name.slice(0, 100)}" is a path, not a script name: give the name of a script folder as user_scripts_list shows it (its "folder").`,
    );
  const folders = await listScriptFolders(userScriptsPaths(ctx).dir);
  if (!folders.includes(name)) {
    const known = folders.length ? ` Scripts: ${folders.slice(0, 50).join(', ')}.` : ' No scripts exist.';
    throw new NotFoundError(`There is no User Script "${name.slice(0, 100)}".${known} Nothing was run.`);
  }
  if (SHELL_ACTIVE.test(name))
    throw new InvalidInputError(
      `The script folder "${name}" contains characters (" $ \` \\ or a line break) that the plugin's runner would hand to a shell; rename it in the WebGUI (Settings → User Scripts) first. Nothing was run.`,
    );
  return name;
}

export const FREQUENCY_WORDS: Readonly<Record<string, string>> = {
  disabled: 'not scheduled',
  hourly: 'hourly',
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  start: 'at every array start',
  stop: 'when the array stops',
  boot: 'at the first array start after boot',
  custom: 'on a custom cron schedule',
};
