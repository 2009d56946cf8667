import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, TESTDATA, type TestServer } from '../../helpers/start-server.js';
import { confirmFlow } from '../../helpers/confirm-flow.js';
import { readAudit } from '../../helpers/audit-file.js';
import { resultData as data, resultText as text, toolCaller } from '../../helpers/tool-calls.js';

/** The unraid toolset is off in a fresh install; these tests switch it on as the owner would. */
const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';

/**
 * plugins_list, user_scripts_list and user_script_run through a real MCP client over HTTP against a real
 * sidecar. The plugin manager's folder is real symlinks to the committed .plg samples
 * (testdata/unraid/plugins/boot), its checked copies testdata/unraid/plugins/checked; the User Scripts
 * plugin's folders are a copy of testdata/unraid/user.scripts (flash part and RAM part); the plugin's
 * runner is a script that records its arguments and appends to the run's log as the plugin does.
 */
const PLUGINS = join(TESTDATA, 'unraid', 'plugins');
type Data = Record<string, any>;

let srv: TestServer;
let admin: Client;
let reader: Client;
let root: string;
let scriptsDir: string;
let scriptsTmp: string;
let emhttpRoot: string;
let runnerOut: string;

const { call, calls } = toolCaller(() => admin);
const flow = confirmFlow(
  () => srv,
  (n, a) => call(n, a),
);

async function waitFor(path: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(path)) return readFile(path, 'utf8');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} was never written`);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'umcp-plugins-'));
  const links = join(root, 'var-log-plugins');
  await mkdir(links);
  for (const f of [
    'example.backup.plg',
    'example.tempsensors.plg',
    'example.localonly.plg',
    'example.uptodate.plg',
    'broken.undeclared.plg',
    'broken.truncated.plg',
    'unRAIDServer.plg',
  ])
    await symlink(join(PLUGINS, 'boot', f), join(links, f));
  await symlink(join(root, 'removed-from-flash.plg'), join(links, 'dangling.plg'));
  // A plain file is not an install marker for the plugin manager: not listed, not counted.
  await writeFile(join(links, 'notalink.plg'), await readFile(join(PLUGINS, 'boot', 'example.uptodate.plg')));

  scriptsDir = join(root, 'boot-config-plugins-user.scripts');
  scriptsTmp = join(root, 'tmp-user.scripts');
  await cp(join(TESTDATA, 'unraid', 'user.scripts', 'boot'), scriptsDir, { recursive: true });
  await cp(join(TESTDATA, 'unraid', 'user.scripts', 'tmp'), scriptsTmp, { recursive: true });
  await mkdir(join(scriptsDir, 'scripts', 'bad$name'));
  await writeFile(join(scriptsDir, 'scripts', 'bad$name', 'script'), '#!/bin/bash\necho hi\n');

  emhttpRoot = join(root, 'emhttp');
  await cp(join(TESTDATA, 'emhttp', 'parity-check-running'), emhttpRoot, { recursive: true });

  runnerOut = join(root, 'runner-argv');
  const runner = join(root, 'startCustom.php');
  await writeFile(
    runner,
    [
      '#!/bin/sh',
      `printf '%s\\n' "$0" "$@" > '${runnerOut}.tmp'`,
      'folder=$(basename "$(dirname "$1")")',
      `mkdir -p '${scriptsTmp}/tmpScripts/'"$folder"`,
      `printf 'Script Starting Dec 07, 2026  09:00.00\\n\\n' >> '${scriptsTmp}/tmpScripts/'"$folder"/log.txt`,
      `mv '${runnerOut}.tmp' '${runnerOut}'`,
      '',
    ].join('\n'),
  );
  await chmod(runner, 0o755);

  srv = await startTestServer({
    emhttpRoot,
    settingsCfg: UNRAID_ON,
    tokens: [
      { name: 'owner-agent', scope: 'admin' },
      { name: 'reader', scope: 'read' },
    ],
    env: {
      UNRAID_MCP_PLUGINS_DIR: links,
      UNRAID_MCP_PLUGINS_CHECKED_DIR: join(PLUGINS, 'checked'),
      UNRAID_MCP_USER_SCRIPTS_DIR: scriptsDir,
      UNRAID_MCP_USER_SCRIPTS_TMP_DIR: scriptsTmp,
      UNRAID_MCP_USER_SCRIPTS_RUNNER: runner,
    },
  });
  admin = await srv.connect('owner-agent');
  reader = await srv.connect('reader');
});
afterAll(async () => {
  await srv.close();
  await rm(root, { recursive: true, force: true });
});

describe('plugins_list', () => {
  it('lists the installed plugins with entities expanded, update status from the checked copies, and the unreadable ones counted', async () => {
    const res = await call('plugins_list', {}, reader);
    expect(res.isError).toBeFalsy();
    expect(JSON.parse(text(res))).toEqual(data(res));
    const byName = Object.fromEntries((data(res).plugins as Data[]).map((p) => [p.name, p]));
    expect(Object.keys(byName)).toEqual([
      'example.backup',
      'example.localonly',
      'example.tempsensors',
      'example.uptodate',
    ]);
    expect(byName['example.backup']).toEqual({
      name: 'example.backup',
      file: 'example.backup.plg',
      version: '2025.11.02',
      author: 'Jane Example',
      pluginURL: 'https://raw.githubusercontent.com/example/unraid-plugins/main/plugins/example.backup.plg',
      support: 'https://forums.unraid.net/topic/00000-example-backup/',
      minUnraid: '6.12.0',
      maxUnraid: null,
      update: { status: 'not_checked', latestVersion: null, checkedAt: null },
    });
    expect(byName['example.tempsensors']).toMatchObject({
      author: 'Tom & Jerry',
      version: '2024.12.01',
      pluginURL: 'https://raw.githubusercontent.com/example/tempsensors/master/example.tempsensors.plg',
      update: { status: 'update_available', latestVersion: '2026.01.15' },
    });
    expect(Date.parse(byName['example.tempsensors'].update.checkedAt)).toBeGreaterThan(0);
    expect(byName['example.localonly']).toMatchObject({
      author: 'Local Admin',
      version: '2023.03.03a',
      update: { status: 'no_update_url' },
    });
    expect(byName['example.uptodate']).toMatchObject({
      maxUnraid: '7.9.9',
      update: { status: 'up_to_date', latestVersion: '2026.01.20' },
    });
    expect(data(res)).toMatchObject({
      updatesAvailable: 1,
      skipped: 3,
      skippedFiles: [
        { file: 'broken.truncated.plg', problem: 'ends inside the <PLUGIN> tag' },
        { file: 'broken.undeclared.plg', problem: 'uses &author; which is not declared' },
        { file: 'dangling.plg', problem: 'its link points to a file that does not exist' },
      ],
    });
    expect(data(res).message).toBe(
      '4 plugin(s) installed. Updates known for: example.tempsensors (2024.12.01 → 2026.01.15). ' +
        '1 not checked for updates since boot. 3 plugin file(s) could not be read and were skipped.',
    );
  });
});

describe('user_scripts_list', () => {
  it("lists the plugin's scripts: names, descriptions, schedules, running flags and log tails", async () => {
    const res = await call('user_scripts_list', { log_lines: 3 }, reader);
    expect(res.isError).toBeFalsy();
    const scripts = data(res).scripts as Data[];
    expect(scripts.map((s) => s.folder)).toEqual([
      'backup_appdata',
      'bad$name',
      'clear cache',
      'interactive_fix',
      'long_job',
    ]);
    const by = Object.fromEntries(scripts.map((s) => [s.folder, s]));
    expect(by.backup_appdata).toEqual({
      folder: 'backup_appdata',
      name: 'Backup appdata',
      description: 'Copies appdata to the array.\nRuns nightly; keeps one copy.',
      schedule: { frequency: 'daily', custom: null, description: 'daily' },
      running: false,
      runInBackground: true,
      needsArrayStarted: true,
      logPath: join(scriptsTmp, 'tmpScripts', 'backup_appdata', 'log.txt'),
      log: {
        exists: true,
        modifiedAt: expect.any(String),
        lastStarted: 'Dec 06, 2026  03:00.02',
        lastFinished: 'Dec 06, 2026  03:13.09',
        tail: [
          'Script Finished Dec 06, 2026  03:13.09',
          '',
          'Full logs for this script are available at /tmp/user.scripts/tmpScripts/backup_appdata/log.txt',
        ],
      },
    });
    expect(by['clear cache']).toMatchObject({
      name: 'clear cache',
      description: 'Deletes .DS_Store files from the cache pool',
      schedule: { frequency: 'custom', custom: '0 4 * * 1', description: 'on the cron schedule "0 4 * * 1"' },
      log: { exists: false, lastStarted: null, tail: [] },
    });
    expect(by.interactive_fix).toMatchObject({
      name: 'Interactive permissions fix',
      description: 'Asks before changing anything',
      runInBackground: false,
      schedule: { frequency: 'disabled', description: 'not scheduled' },
    });
    expect(by.long_job).toMatchObject({
      running: true,
      log: { lastStarted: 'Dec 07, 2026  01:30.00', lastFinished: null },
    });
    expect(data(res).message).toBe('5 script(s). Running now: long_job.');
  });

  it('log_lines 0 leaves the tails out; out of range is refused', async () => {
    const res = await call('user_scripts_list', { log_lines: 0 }, reader);
    expect((data(res).scripts as Data[]).every((s) => s.log.tail.length === 0)).toBe(true);
    expect((await call('user_scripts_list', { log_lines: 500 }, reader)).isError).toBe(true);
  });
});

describe('user_script_run', () => {
  it('is not offered to a read token', async () => {
    const names = (await reader.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['plugins_list', 'user_scripts_list']));
    expect(names).not.toContain('user_script_run');
  });

  it('refuses path-like, unknown and unrunnable names before anyone is asked, running nothing', async () => {
    const cases: Array<[string, RegExp | string]> = [
      ['../x', /^"\.\.\/x" is a path, not a script name/],
      ['a/b', /^"a\/b" is a path, not a script name/],
      ['..', /^"\.\." is a path, not a script name/],
      [
        'nope',
        'There is no User Script "nope". Scripts: backup_appdata, bad$name, clear cache, interactive_fix, long_job. Nothing was run.',
      ],
      ['notes_only', /^There is no User Script "notes_only"\./],
      ['interactive_fix', /^The script "interactive_fix" is marked foregroundOnly/],
      [
        'long_job',
        /^The script "long_job" is running already; its log: .*long_job\/log\.txt\. Nothing was run\.$/,
      ],
      [
        'bad$name',
        /^The script folder "bad\$name" contains characters .* that the plugin's runner would hand to a shell/,
      ],
    ];
    for (const [name, why] of cases) {
      const res = await call('user_script_run', { name });
      expect(res.isError, name).toBe(true);
      if (typeof why === 'string') expect(text(res)).toBe(why);
      else expect(text(res)).toMatch(why);
      expect(res._meta?.['unraid-mcp/confirmation'], name).toBeUndefined();
    }
    expect(existsSync(runnerOut)).toBe(false);
  });

  it("honours the script's arrayStarted and noParity settings, as the plugin's runner does", async () => {
    const varIni = join(emhttpRoot, 'var.ini');
    const original = await readFile(varIni, 'utf8');
    await writeFile(varIni, original.replace('mdState="STARTED"', 'mdState="STOPPED"'));
    try {
      const res = await call('user_script_run', { name: 'backup_appdata' });
      expect(text(res)).toBe(
        'The script "backup_appdata" needs the array started (arrayStarted=true) and the array is STOPPED. Nothing was run.',
      );
    } finally {
      await writeFile(varIni, original);
    }
    await unlink(join(scriptsTmp, 'running', 'long_job'));
    const res = await call('user_script_run', { name: 'long_job' });
    expect(text(res)).toBe(
      'The script "long_job" is marked noParity and a parity check — writing corrections to parity is in progress. Nothing was run.',
    );
    expect(existsSync(runnerOut)).toBe(false);
  });

  it('an owner who denies the run: nothing runs', async () => {
    const { res } = await flow.withApproval(
      'user_script_run',
      { name: 'backup_appdata' },
      () => true,
      'deny',
    );
    expect(res.isError).toBe(true);
    expect(existsSync(runnerOut)).toBe(false);
  });

  it("approved: starts the plugin's runner detached with the script's path, returns at once with the log's path", async () => {
    const { description, res } = await flow.withApproval('user_script_run', { name: 'clear cache' });
    const script = join(scriptsDir, 'scripts', 'clear cache', 'script');
    const log = join(scriptsTmp, 'tmpScripts', 'clear cache', 'log.txt');
    expect(description).toBe(
      `Run the User Script "clear cache" (Deletes .DS_Store files from the cache pool) in the background as root: ${script}. Its output goes to ${log}.`,
    );
    expect(res.isError).toBeFalsy();
    expect(data(res)).toMatchObject({ started: true, folder: 'clear cache', logPath: log });
    expect(data(res).pid).toBeGreaterThan(0);
    expect((await waitFor(runnerOut)).split('\n').slice(0, -1)).toEqual([
      join(root, 'startCustom.php'),
      script,
    ]);
    const listed = await call('user_scripts_list', { log_lines: 5 }, reader);
    const entry = (data(listed).scripts as Data[]).find((s) => s.folder === 'clear cache')!;
    expect(entry.log).toMatchObject({
      exists: true,
      lastStarted: 'Dec 07, 2026  09:00.00',
      lastFinished: null,
    });
  });

  it('a runner that is not installed: a plain message, nothing started', async () => {
    const lone = await startTestServer({
      settingsCfg: UNRAID_ON,
      env: {
        UNRAID_MCP_USER_SCRIPTS_DIR: scriptsDir,
        UNRAID_MCP_USER_SCRIPTS_TMP_DIR: join(root, 'other-tmp'),
        UNRAID_MCP_USER_SCRIPTS_RUNNER: join(root, 'no-such-runner.php'),
      },
    });
    try {
      const c = await lone.connect();
      const { res } = await confirmFlow(
        () => lone,
        (n, a) => c.callTool({ name: n, arguments: a }) as Promise<CallToolResult>,
      ).withApproval('user_script_run', { name: 'clear cache' });
      expect(text(res)).toBe(
        "The User Scripts plugin's runner was not found on this server, so nothing was started.",
      );
    } finally {
      await lone.close();
    }
  });

  it('writes an intent and an outcome record for every call', async () => {
    const records = await readAudit(srv.env.auditDir);
    for (const tool of calls.keys()) {
      const intents = records.filter((r) => r.stage === 'intent' && r.tool === tool);
      const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === tool);
      expect(outcomes, tool).toHaveLength(calls.get(tool)!);
      for (const o of outcomes)
        expect(
          intents.map((i) => i.id),
          tool,
        ).toContain(o.intent);
    }
    const runs = records.filter((r) => r.stage === 'outcome' && r.tool === 'user_script_run');
    expect(runs.filter((r) => (r as Data).result.status === 'ok')).toHaveLength(1);
  });
});
