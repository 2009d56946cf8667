import type { ConfigProblem } from '../errors/config-error.js';

/**
 * Where the array, plugin, User Scripts and power tools find things on the host. Unraid's own paths by
 * default; tests point them at fixtures, a test emhttpd and recording scripts.
 */
export interface UnraidControlEnv {
  /** How long emhttpd may take to answer cmdStart / cmdStop: it answers once the array has started or stopped. */
  arrayCommandTimeoutMs: number;
  pluginsDir: string;
  pluginsCheckedDir: string;
  userScriptsDir: string;
  userScriptsTmpDir: string;
  userScriptsRunner: string;
  rebootCommand: string;
  poweroffCommand: string;
}

const DEFAULT_ARRAY_TIMEOUT_S = 300;
/** Below the array tools' own call limit (10 minutes), so a slow stop is still reported by them. */
const MAX_ARRAY_TIMEOUT_S = 540;

export const UNRAID_CONTROL_ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  {
    name: 'UNRAID_MCP_ARRAY_COMMAND_TIMEOUT',
    default: String(DEFAULT_ARRAY_TIMEOUT_S),
    meaning: `Seconds array_start / array_stop wait for emhttpd to answer (it answers once the array has started or stopped; 1-${MAX_ARRAY_TIMEOUT_S}).`,
  },
  {
    name: 'UNRAID_MCP_PLUGINS_DIR',
    default: '/var/log/plugins',
    meaning: "The plugin manager's links to installed .plg files, read by plugins_list.",
  },
  {
    name: 'UNRAID_MCP_PLUGINS_CHECKED_DIR',
    default: '/tmp/plugins',
    meaning:
      'Where the plugin manager keeps the .plg files it downloaded when checking for updates; plugins_list compares versions with them.',
  },
  {
    name: 'UNRAID_MCP_USER_SCRIPTS_DIR',
    default: '/boot/config/plugins/user.scripts',
    meaning: "The User Scripts plugin's folder on the flash drive (scripts/<name>/, schedule.json).",
  },
  {
    name: 'UNRAID_MCP_USER_SCRIPTS_TMP_DIR',
    default: '/tmp/user.scripts',
    meaning:
      "The User Scripts plugin's RAM folder: run logs (tmpScripts/<name>/log.txt) and running markers.",
  },
  {
    name: 'UNRAID_MCP_USER_SCRIPTS_RUNNER',
    default: '/usr/local/emhttp/plugins/user.scripts/startCustom.php',
    meaning:
      "The User Scripts plugin's background runner; user_script_run starts it detached with the script's path.",
  },
  {
    name: 'UNRAID_MCP_REBOOT_COMMAND',
    default: '/sbin/reboot',
    meaning:
      "What system_reboot runs (with -n, as the WebGUI's Reboot button does); Unraid's rc.6 stops the array cleanly first.",
  },
  {
    name: 'UNRAID_MCP_POWEROFF_COMMAND',
    default: '/sbin/poweroff',
    meaning:
      "What system_shutdown runs (with -n, as the WebGUI's Shutdown button does); Unraid's rc.6 stops the array cleanly first.",
  },
];

/** Reads the variables above; a bad value is added to `problems` (the caller throws them together). */
export function readUnraidControlEnv(
  get: (name: string, fallback: string) => string,
  problems: ConfigProblem[],
): UnraidControlEnv {
  const timeoutText = get('UNRAID_MCP_ARRAY_COMMAND_TIMEOUT', String(DEFAULT_ARRAY_TIMEOUT_S));
  const timeout = /^\d{1,4}$/.test(timeoutText) ? Number(timeoutText) : NaN;
  if (!(timeout >= 1 && timeout <= MAX_ARRAY_TIMEOUT_S))
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_ARRAY_COMMAND_TIMEOUT',
      message: `"${timeoutText}" is not a number of seconds from 1 to ${MAX_ARRAY_TIMEOUT_S}`,
    });
  const env: UnraidControlEnv = {
    arrayCommandTimeoutMs: (Number.isNaN(timeout) ? DEFAULT_ARRAY_TIMEOUT_S : timeout) * 1000,
    pluginsDir: get('UNRAID_MCP_PLUGINS_DIR', '/var/log/plugins'),
    pluginsCheckedDir: get('UNRAID_MCP_PLUGINS_CHECKED_DIR', '/tmp/plugins'),
    userScriptsDir: get('UNRAID_MCP_USER_SCRIPTS_DIR', '/boot/config/plugins/user.scripts'),
    userScriptsTmpDir: get('UNRAID_MCP_USER_SCRIPTS_TMP_DIR', '/tmp/user.scripts'),
    userScriptsRunner: get(
      'UNRAID_MCP_USER_SCRIPTS_RUNNER',
      '/usr/local/emhttp/plugins/user.scripts/startCustom.php',
    ),
    rebootCommand: get('UNRAID_MCP_REBOOT_COMMAND', '/sbin/reboot'),
    poweroffCommand: get('UNRAID_MCP_POWEROFF_COMMAND', '/sbin/poweroff'),
  };
  // These are run or read as root: a relative path would depend on the working directory.
  for (const [field, value] of [
    ['UNRAID_MCP_PLUGINS_DIR', env.pluginsDir],
    ['UNRAID_MCP_PLUGINS_CHECKED_DIR', env.pluginsCheckedDir],
    ['UNRAID_MCP_USER_SCRIPTS_DIR', env.userScriptsDir],
    ['UNRAID_MCP_USER_SCRIPTS_TMP_DIR', env.userScriptsTmpDir],
    ['UNRAID_MCP_USER_SCRIPTS_RUNNER', env.userScriptsRunner],
    ['UNRAID_MCP_REBOOT_COMMAND', env.rebootCommand],
    ['UNRAID_MCP_POWEROFF_COMMAND', env.poweroffCommand],
  ] as const)
    if (!value.startsWith('/'))
      problems.push({ file: 'environment', field, message: `"${value}" must be an absolute path` });
  return env;
}
