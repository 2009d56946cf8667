import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, TESTDATA, type TestServer } from '../../helpers/start-server.js';
import { readAudit } from '../../helpers/audit-file.js';
import { connectV2 } from '../../helpers/v2-client.js';
import { resultData as data, resultText as text, toolCaller } from '../../helpers/tool-calls.js';

/** The unraid toolset is off in a fresh install; these tests switch it on as the owner would. */
const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';
type Data = Record<string, any>;

/**
 * The notification tools through a real MCP client over HTTP, on a copy of the committed notification
 * folder (testdata/unraid/notifications: current quoted files, older bare ones, an unread copy with its
 * archived twin as notify writes them, and files that are not notifications), located through a
 * dynamix.cfg as the WebGUI writes it. notification_create runs a fake notify script (it records its
 * arguments and writes the files as notify does) or, when the script is absent, writes the files itself.
 */
let root: string;
let notifyDir: string;
let cfgPath: string;
let scriptPath: string;
let argvLog: string;
let srv: TestServer;
let client: Client;
let reader: Client;

const { call, calls } = toolCaller(() => client);
const files = async (folder: 'unread' | 'archive') => (await readdir(join(notifyDir, folder))).sort();

const dynamixCfg = (notify: string) =>
  `[display]\ndate="%c"\nnumber=".,"\nunit="C"\n[notify]\ndate="d-m-Y"\ntime="H:i"\nposition="top-right"\n${notify}\nsystem="*/1 * * * *"\n[ssmtp]\nservice="smtp.gmail.com"\n`;

/**
 * A stand-in for Unraid's notify: records its arguments (NUL-separated) and, like notify, writes the
 * archived copy and the unread one, named `<event>_<seconds>.notify`, values quoted and escaped.
 * A file named `fail` in the folder makes it fail; one named `silent` makes it write nothing.
 */
const FAKE_NOTIFY = (dir: string, log: string) =>
  [
    '#!/bin/bash',
    "printf '%s\\0' \"$@\" >> '@LOG@'",
    'if [ -e \'@DIR@/fail\' ]; then echo "PHP Warning: file_put_contents(@DIR@/archive): Permission denied" >&2; exit 3; fi',
    "[ -e '@DIR@/silent' ] && exit 0",
    'esc() { local v=${1//\\\\/\\\\\\\\}; v=${v//\\"/\\\\\\"}; printf \'"%s"\' "$v"; }',
    'while getopts "e:s:d:i:" o; do case $o in e) ev=$OPTARG;; s) su=$OPTARG;; d) de=$OPTARG;; i) im=$OPTARG;; esac; done',
    'ts=$(date +%s); name="${ev//[- ]/_}_$ts.notify"',
    'body="timestamp=$ts',
    'event=$(esc "$ev")',
    'subject=$(esc "$su")',
    'description=$(esc "$de")',
    'importance=$(esc "$im")"',
    'printf \'%s\\n\' "$body" > "@DIR@/archive/$name"',
    'printf \'%s\\nlink=""\\n\' "$body" > "@DIR@/unread/$name"',
  ]
    .join('\n')
    .replaceAll('@LOG@', log)
    .replaceAll('@DIR@', dir) + '\n';

const argvRecorded = async () =>
  existsSync(argvLog) ? (await readFile(argvLog, 'utf8')).split('\0').slice(0, -1) : [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'umcp-notify-'));
  notifyDir = join(root, 'notifications');
  await cp(join(TESTDATA, 'unraid', 'notifications'), notifyDir, { recursive: true });
  // A file of binary garbage among the archived ones (a torn write on the flash drive).
  await writeFile(
    join(notifyDir, 'archive', 'garbage_1796500000.notify'),
    Buffer.from([0, 0, 0xff, 0xfe, 7, 0]),
  );
  cfgPath = join(root, 'dynamix.cfg');
  await writeFile(cfgPath, dynamixCfg(`path="${notifyDir}"\nnormal="1"\nwarning="1"\nalert="3"`));
  scriptPath = join(root, 'notify');
  argvLog = join(root, 'notify-argv');
  srv = await startTestServer({
    settingsCfg: UNRAID_ON,
    tokens: [
      { name: 'operator', scope: 'operate' },
      { name: 'reader', scope: 'read' },
    ],
    env: {
      UNRAID_MCP_DYNAMIX_CFG: cfgPath,
      UNRAID_MCP_NOTIFY_SCRIPT: scriptPath,
      UNRAID_MCP_SYSLOG: join(root, 'no-syslog'),
    },
  });
  client = await srv.connect('operator');
  reader = await srv.connect('reader');
});
afterAll(async () => {
  await srv.close();
  await rm(root, { recursive: true, force: true });
});

describe('notifications_list', () => {
  it('lists unread and archived notifications newest first, each once, skipping and counting the files that are not notifications', async () => {
    const res = await call('notifications_list', {}, reader);
    expect(res.isError).toBeFalsy();
    expect(JSON.parse(text(res))).toEqual(data(res));
    const d = data(res);
    expect(d.notifications.map((n: Data) => [n.file, n.state, n.importance])).toEqual([
      ['Unraid_Status_1796628600.notify', 'unread', 'normal'],
      ['Unraid_Disk_3_SMART_health_199_1796601580.notify', 'unread', 'warning'],
      ['Unraid_array_errors_1796465642.notify', 'unread', 'alert'],
      ['Unraid_share_space_1796181911.notify', 'archived', 'warning'],
      ['Unraid_Parity_check_1796094005.notify', 'archived', 'normal'],
      ['Plugin___Unraid_Connect_1795840801.notify', 'archived', 'normal'],
      ['Unraid_Status_1762074000.notify', 'archived', 'warning'],
    ]);
    expect(d).toMatchObject({
      unreadTotal: 4,
      archivedTotal: 6,
      skippedFiles: 3,
      more: false,
      folder: notifyDir,
    });
    expect(d.message).toMatch(/^7 notification\(s\), newest first\. 4 unread and 6 archived in all\./);
    expect(d.message).toMatch(/3 file\(s\) are not valid notifications and were skipped/);
    expect(d.message).toContain('bad_importance_1796300000.notify: an unknown importance');
    expect(d.message).toContain('garbage_1796500000.notify: binary content');
    expect(d.message).toContain('broken_no_timestamp_1796000000.notify: no valid timestamp');
  });

  it('reads both value forms: quoted with escapes (current) and bare (older releases), with link and message', async () => {
    const d = data(await call('notifications_list', { limit: 200 }, reader));
    const by = (file: string) => d.notifications.find((n: Data) => n.file === file);
    expect(by('Unraid_Disk_3_SMART_health_199_1796601580.notify')).toEqual({
      file: 'Unraid_Disk_3_SMART_health_199_1796601580.notify',
      state: 'unread',
      time: '2026-12-06T23:59:40.000Z',
      event: 'Unraid Disk 3 SMART health [199]',
      subject: 'Warning [TOWER] - udma crc error count is 12',
      description: 'WDC_WD80EFAX-68KNBN0_VAK1A2B3 (sdd)',
      importance: 'warning',
      link: '/Main/Device?name=disk3',
    });
    expect(by('Unraid_share_space_1796181911.notify')).toMatchObject({
      subject: 'Warning [TOWER] - share "Backup" is low on space (94%)',
      description: 'Free: 120 GB of 2 TB, path "\\\\TOWER\\Backup"',
    });
    expect(by('Plugin___Unraid_Connect_1795840801.notify')).toEqual({
      file: 'Plugin___Unraid_Connect_1795840801.notify',
      state: 'archived',
      time: '2026-11-28T04:40:01.000Z',
      event: 'Plugin - Unraid Connect',
      subject: 'Notice [TOWER] - Version update 2026.11.27.1441',
      description: 'A new version of Unraid Connect is available',
      importance: 'normal',
      message: 'Update it from the Plugins page<br>Release notes are on the forum',
    });
  });

  it('filters by state, importance, subject and since, and says when more exist', async () => {
    const names = async (args: Record<string, unknown>) =>
      data(await call('notifications_list', args, reader)).notifications.map((n: Data) => n.file);
    expect(await names({ state: 'unread' })).toEqual([
      'Unraid_Status_1796628600.notify',
      'Unraid_Disk_3_SMART_health_199_1796601580.notify',
      'Unraid_array_errors_1796465642.notify',
    ]);
    expect(await names({ state: 'archived', importance: 'warning' })).toEqual([
      'Unraid_share_space_1796181911.notify',
      'Unraid_Status_1762074000.notify',
    ]);
    expect(await names({ subject: 'ARRAY HEALTH' })).toEqual([
      'Unraid_Status_1796628600.notify',
      'Unraid_Status_1762074000.notify',
    ]);
    expect(await names({ since: '2026-12-02T00:00:00Z' })).toEqual([
      'Unraid_Status_1796628600.notify',
      'Unraid_Disk_3_SMART_health_199_1796601580.notify',
      'Unraid_array_errors_1796465642.notify',
      'Unraid_share_space_1796181911.notify',
    ]);
    const two = data(await call('notifications_list', { limit: 2 }, reader));
    expect(two.notifications).toHaveLength(2);
    expect(two.more).toBe(true);
    expect(two.message).toMatch(/more exist/);
    const none = data(await call('notifications_list', { importance: 'alert', state: 'archived' }, reader));
    expect(none).toMatchObject({
      notifications: [],
      more: false,
      message: expect.stringMatching(/^No archived notifications match\./),
    });
  });

  it('refuses bad arguments with the reason', async () => {
    for (const [args, why] of [
      [{ since: 'yesterday' }, /since.*must be an ISO 8601 time/s],
      [{ limit: 0 }, /limit/],
      [{ importance: 'urgent' }, /importance/],
      [{ state: 'deleted' }, /state/],
    ] as const) {
      const res = await call('notifications_list', args, reader);
      expect(res.isError, JSON.stringify(args)).toBe(true);
      expect(text(res)).toMatch(why);
    }
  });
});

describe('notification_archive', () => {
  it('is not offered to a read token', async () => {
    const names = (await reader.listTools()).tools.map((t) => t.name);
    expect(names).toContain('notifications_list');
    expect(names).not.toContain('notification_archive');
    expect(names).not.toContain('notification_create');
  });

  it('archives one: the unread copy goes, its archived twin stays; the list shows it archived', async () => {
    const file = 'Unraid_array_errors_1796465642.notify';
    const twin = await readFile(join(notifyDir, 'archive', file), 'utf8');
    const res = await call('notification_archive', { file });
    expect(res.isError).toBeFalsy();
    expect(data(res)).toEqual({
      archived: 1,
      files: [file],
      failed: [],
      message: '1 notification(s) archived.',
    });
    expect(await files('unread')).not.toContain(file);
    expect(await readFile(join(notifyDir, 'archive', file), 'utf8')).toBe(twin);
    const list = data(await call('notifications_list', { importance: 'alert' }, reader));
    expect(list.notifications.map((n: Data) => [n.file, n.state])).toEqual([[file, 'archived']]);
    expect(list).toMatchObject({ unreadTotal: 3, archivedTotal: 7 });
  });

  it('says so when the notification is already archived, or does not exist', async () => {
    const again = await call('notification_archive', { file: 'Unraid_array_errors_1796465642.notify' });
    expect(again.isError).toBe(true);
    expect(text(again)).toBe('The notification Unraid_array_errors_1796465642.notify is already archived.');
    const missing = await call('notification_archive', { file: 'Nothing_here_1796000001.notify' });
    expect(text(missing)).toMatch(
      /^There is no unread notification Nothing_here_1796000001\.notify; notifications_list shows/,
    );
  });

  it('refuses a path, a name that is not a notification file, neither or both arguments', async () => {
    for (const [args, why] of [
      [{ file: '../archive/Unraid_Status_1762074000.notify' }, /must be a notification file name/],
      [{ file: '/etc/passwd' }, /must be a notification file name/],
      [{ file: 'Unraid_Status_1796628600.ini' }, /must be a notification file name/],
      [{}, /give `file` \(one notification\) or `all: true`/],
      [{ file: 'Unraid_Status_1796628600.notify', all: true }, /either `file` or `all: true`, not both/],
    ] as const) {
      const res = await call('notification_archive', args);
      expect(res.isError, JSON.stringify(args)).toBe(true);
      expect(text(res)).toMatch(why);
    }
    expect(await files('unread')).toContain('Unraid_Status_1796628600.notify');
  });

  it('archives all: twins are kept, an unread file without a twin is moved into the archive', async () => {
    const badUnread = await readFile(join(notifyDir, 'unread', 'bad_importance_1796300000.notify'), 'utf8');
    const res = await call('notification_archive', { all: true });
    expect(data(res)).toMatchObject({
      archived: 3,
      files: [
        'Unraid_Disk_3_SMART_health_199_1796601580.notify',
        'Unraid_Status_1796628600.notify',
        'bad_importance_1796300000.notify',
      ],
      failed: [],
    });
    expect(await files('unread')).toEqual([]);
    expect(await readFile(join(notifyDir, 'archive', 'bad_importance_1796300000.notify'), 'utf8')).toBe(
      badUnread,
    );
    const empty = await call('notification_archive', { all: true });
    expect(data(empty)).toMatchObject({
      archived: 0,
      message: 'There were no unread notifications; nothing to archive.',
    });
  });
});

describe('notification_create', () => {
  it('without the notify script: writes the archived and the unread copy in the format notify writes', async () => {
    expect(existsSync(scriptPath)).toBe(false);
    const before = Math.floor(Date.now() / 1000);
    const res = await call('notification_create', {
      subject: 'Backup finished',
      description: 'Copied 12 GB to "offsite" & verified \\ checksums OK',
      importance: 'normal',
    });
    expect(res.isError).toBeFalsy();
    const d = data(res);
    expect(d).toMatchObject({ created: true, via: 'files', unread: true });
    const file = d.notification.file as string;
    const ts = Number(/^unraid_mcp_(\d+)\.notify$/.exec(file)?.[1]);
    expect(ts).toBeGreaterThanOrEqual(before);
    const body =
      `timestamp=${ts}\nevent="unraid-mcp"\nsubject="Backup finished"\n` +
      `description="Copied 12 GB to \\"offsite\\" & verified \\\\ checksums OK"\nimportance="normal"\n`;
    expect(await readFile(join(notifyDir, 'archive', file), 'utf8')).toBe(body);
    expect(await readFile(join(notifyDir, 'unread', file), 'utf8')).toBe(`${body}link=""\n`);
    expect(d.notification).toEqual({
      file,
      state: 'unread',
      time: new Date(ts * 1000).toISOString(),
      event: 'unraid-mcp',
      subject: 'Backup finished',
      description: 'Copied 12 GB to "offsite" & verified \\ checksums OK',
      importance: 'normal',
    });
    const listed = data(await call('notifications_list', { state: 'unread' }, reader));
    expect(listed.notifications[0]).toEqual(d.notification);
  });

  it('two in the same second get two files (notify would drop the second)', async () => {
    const [a, b] = await Promise.all([
      call('notification_create', { subject: 'First', description: 'one' }),
      call('notification_create', { subject: 'Second', description: 'two' }),
    ]);
    const fa = data(a).notification.file;
    const fb = data(b).notification.file;
    expect(fa).not.toBe(fb);
    expect(data(a).notification.subject).toBe('First');
    expect(data(b).notification.subject).toBe('Second');
  });

  it('writes no unread copy for an importance the owner does not show in the browser (dynamix.cfg bit 1)', async () => {
    await writeFile(cfgPath, dynamixCfg(`path="${notifyDir}"\nnormal="1"\nwarning="2"\nalert="3"`));
    try {
      const d = data(
        await call('notification_create', {
          subject: 'Disk 4 is hot',
          description: '52 C',
          importance: 'warning',
        }),
      );
      expect(d).toMatchObject({
        created: true,
        via: 'files',
        unread: false,
        notification: { state: 'archived' },
      });
      expect(d.message).toMatch(/archived at once: the owner's settings do not show warning notifications/);
      expect(existsSync(join(notifyDir, 'unread', d.notification.file))).toBe(false);
      expect(existsSync(join(notifyDir, 'archive', d.notification.file))).toBe(true);
    } finally {
      await writeFile(cfgPath, dynamixCfg(`path="${notifyDir}"\nnormal="1"\nwarning="1"\nalert="3"`));
    }
  });

  it('with the notify script: runs it with -e -s -d -i as separate arguments, and reads back what it wrote', async () => {
    await writeFile(scriptPath, FAKE_NOTIFY(notifyDir, argvLog));
    await chmod(scriptPath, 0o755);
    const res = await call('notification_create', {
      subject: '-x starts with a dash; "quoted" & $HOME `not run`',
      description: "Parity check started by the assistant (it's a test)",
      importance: 'alert',
    });
    expect(res.isError).toBeFalsy();
    expect(await argvRecorded()).toEqual([
      '-e',
      'unraid-mcp',
      '-s',
      '-x starts with a dash; "quoted" & $HOME `not run`',
      '-d',
      "Parity check started by the assistant (it's a test)",
      '-i',
      'alert',
    ]);
    const d = data(res);
    expect(d).toMatchObject({
      created: true,
      via: 'notify-script',
      unread: true,
      notification: {
        state: 'unread',
        event: 'unraid-mcp',
        subject: '-x starts with a dash; "quoted" & $HOME `not run`',
        importance: 'alert',
      },
    });
    expect(d.notification.file).toMatch(/^unraid_mcp_\d+\.notify$/);
    expect(existsSync(join(notifyDir, 'archive', d.notification.file))).toBe(true);
  });

  it('the script failing: its last error line, nothing confirmed', async () => {
    await writeFile(join(notifyDir, 'fail'), '');
    try {
      const res = await call('notification_create', { subject: 'Will fail', description: 'x' });
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(
        /^Unraid's notify script failed \(exit 3\): "PHP Warning: file_put_contents\(.*Permission denied"\. No notification was confirmed\.$/,
      );
    } finally {
      await rm(join(notifyDir, 'fail'));
    }
  });

  it('the script writing nothing: created false, and why that can happen', async () => {
    await writeFile(join(notifyDir, 'silent'), '');
    try {
      const d = data(await call('notification_create', { subject: 'Into the void', description: 'x' }));
      expect(d).toMatchObject({ created: false, via: 'notify-script', notification: null });
      expect(d.message).toMatch(
        /^Unraid's notify script ran without an error, but no notification file appeared/,
      );
    } finally {
      await rm(join(notifyDir, 'silent'));
      await rm(scriptPath);
    }
  });

  it('refuses markup and control characters before anything runs or is written', async () => {
    const argvBefore = await argvRecorded();
    const archiveBefore = await files('archive');
    for (const [args, why] of [
      [
        { subject: '<img src=x onerror=alert(1)>', description: 'x' },
        /subject contains "<" or ">"; the WebGUI shows notifications as HTML/,
      ],
      [{ subject: 'ok', description: 'a <b>bold</b> claim' }, /description contains "<" or ">"/],
      [{ subject: 'two\nlines', description: 'x' }, /subject contains a control character/],
      [{ subject: 'ok', description: 'tab\there' }, /description contains a control character/],
      [{ subject: 'bidi \u202e txt', description: 'x' }, /subject contains a control character/],
      [{ subject: 'ESC \u001b[31m red', description: 'x' }, /subject contains a control character/],
      [{ subject: '   ', description: 'x' }, /subject is empty/],
      [{ subject: 'x'.repeat(201), description: 'x' }, /subject/],
      [{ subject: 'ok', description: 'x', importance: 'critical' }, /importance/],
      [{ subject: 'ok', description: 'x', event: 'Unraid Status' }, /event/],
    ] as const) {
      const res = await call('notification_create', args);
      expect(res.isError, JSON.stringify(args)).toBe(true);
      expect(text(res)).toMatch(why);
    }
    expect(await argvRecorded()).toEqual(argvBefore);
    expect(await files('archive')).toEqual(archiveBefore);
  });
});

describe('where the notifications are', () => {
  it('no unread/ or archive/ yet: an empty list that says why', async () => {
    const empty = join(root, 'fresh');
    await mkdir(empty);
    await writeFile(cfgPath, dynamixCfg(`path="${empty}"`));
    try {
      const d = data(await call('notifications_list', {}, reader));
      expect(d).toMatchObject({ notifications: [], unreadTotal: 0, archivedTotal: 0, folder: empty });
      expect(d.message).toMatch(
        /^No notifications: the notification folder has no unread\/ or archive\/ yet/,
      );
    } finally {
      await writeFile(cfgPath, dynamixCfg(`path="${notifyDir}"`));
    }
  });

  it('a folder under /mnt is refused without being read (it could spin up a disk); the server stays up', async () => {
    await writeFile(cfgPath, dynamixCfg('path="/mnt/user/system/notifications"'));
    try {
      const res = await call('notifications_list', {}, reader);
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(
        /^Notifications are kept under \/mnt\/user\/system\/notifications, on the array; unraid-mcp does not read there/,
      );
      const create = await call('notification_create', { subject: 'x', description: 'y' });
      expect(text(create)).toMatch(/on the array; unraid-mcp does not read there/);
    } finally {
      await writeFile(cfgPath, dynamixCfg(`path="${notifyDir}"`));
    }
    expect((await call('notifications_list', { limit: 1 }, reader)).isError).toBeFalsy();
  });

  it('the flash-drive folder the owner can choose is read like the RAM one (the path comes from dynamix.cfg per call)', async () => {
    const flash = join(root, 'boot', 'config', 'plugins', 'dynamix', 'notifications');
    await cp(join(TESTDATA, 'unraid', 'notifications'), flash, { recursive: true });
    await writeFile(cfgPath, dynamixCfg(`path="${flash}/"`));
    try {
      const d = data(await call('notifications_list', { state: 'unread' }, reader));
      expect(d.folder).toBe(flash);
      expect(d.notifications.map((n: Data) => n.file)).toEqual([
        'Unraid_Status_1796628600.notify',
        'Unraid_Disk_3_SMART_health_199_1796601580.notify',
        'Unraid_array_errors_1796465642.notify',
      ]);
    } finally {
      await writeFile(cfgPath, dynamixCfg(`path="${notifyDir}"`));
    }
  });
});

describe('a large archive', () => {
  it('1,500 notifications: the newest first, filters over all of them, the same as reading every file', async () => {
    const big = join(root, 'big');
    await mkdir(join(big, 'unread'), { recursive: true });
    await mkdir(join(big, 'archive'));
    const all: Array<{ file: string; ts: number; importance: string; subject: string; unread: boolean }> = [];
    for (let i = 0; i < 1500; i++) {
      // Out of order on purpose: the files are not written in time order.
      const ts = 1_790_000_000 + ((i * 7919) % 1500) * 600;
      const importance = i % 97 === 0 ? 'alert' : i % 5 === 0 ? 'warning' : 'normal';
      const file = `Unraid_Status_${ts}.notify`;
      const subject = `Notice [TOWER] - report ${i}${i % 11 === 0 ? ' [FAIL]' : ''}`;
      const body = `timestamp=${ts}\nevent="Unraid Status"\nsubject="${subject}"\ndescription="d"\nimportance="${importance}"\n`;
      await writeFile(join(big, 'archive', file), body);
      const unread = i % 50 === 0;
      if (unread) await writeFile(join(big, 'unread', file), `${body}link=""\n`);
      all.push({ file, ts, importance, subject, unread });
    }
    all.sort((a, b) => b.ts - a.ts);
    await writeFile(cfgPath, dynamixCfg(`path="${big}"`));
    try {
      const files = async (args: Record<string, unknown>) =>
        data(await call('notifications_list', args, reader)).notifications.map((n: Data) => [
          n.file,
          n.state,
        ]);
      const state = (n: (typeof all)[number]) => (n.unread ? 'unread' : 'archived');
      expect(await files({ limit: 5 })).toEqual(all.slice(0, 5).map((n) => [n.file, state(n)]));
      const alerts = all.filter((n) => n.importance === 'alert');
      expect(await files({ importance: 'alert', limit: 200 })).toEqual(alerts.map((n) => [n.file, state(n)]));
      const failed = all.filter((n) => n.subject.endsWith('[FAIL]'));
      expect(await files({ subject: '[fail]', limit: 200 })).toEqual(
        failed.slice(0, 200).map((n) => [n.file, state(n)]),
      );
      const recent = all.filter((n) => n.ts >= 1_790_000_000 + 1400 * 600 && n.importance === 'warning');
      expect(
        await files({
          since: new Date((1_790_000_000 + 1400 * 600) * 1000).toISOString(),
          importance: 'warning',
        }),
      ).toEqual(recent.slice(0, 20).map((n) => [n.file, state(n)]));
      const unread = data(await call('notifications_list', { state: 'unread', limit: 200 }, reader));
      expect(unread.notifications).toHaveLength(30);
      expect(unread).toMatchObject({ unreadTotal: 30, archivedTotal: 1470, more: false });
    } finally {
      await writeFile(cfgPath, dynamixCfg(`path="${notifyDir}"`));
    }
  });
});

describe('through the 2026-07-28 revision (SDK v2 client, stateless)', () => {
  it('lists, raises and archives with the same answers', async () => {
    const v2 = await connectV2(srv, { mode: { pin: '2026-07-28' }, token: 'operator' });
    try {
      const made = await v2.callTool({
        name: 'notification_create',
        arguments: { subject: 'From the 2026 era', description: 'stateless', importance: 'warning' },
      });
      calls.set('notification_create', (calls.get('notification_create') ?? 0) + 1);
      const file = (made.structuredContent as Data).notification.file as string;
      expect(made.structuredContent).toMatchObject({
        created: true,
        via: 'files',
        notification: { state: 'unread' },
      });
      const listed = await v2.callTool({
        name: 'notifications_list',
        arguments: { state: 'unread', subject: '2026 era' },
      });
      calls.set('notifications_list', (calls.get('notifications_list') ?? 0) + 1);
      expect((listed.structuredContent as Data).notifications.map((n: Data) => n.file)).toEqual([file]);
      const archived = await v2.callTool({ name: 'notification_archive', arguments: { file } });
      calls.set('notification_archive', (calls.get('notification_archive') ?? 0) + 1);
      expect(archived.structuredContent).toMatchObject({ archived: 1, files: [file] });
      expect(existsSync(join(notifyDir, 'unread', file))).toBe(false);
    } finally {
      await v2.close();
    }
  });
});

describe('audit', () => {
  it('writes an intent and an outcome record for every call', async () => {
    const records = await readAudit(srv.env.auditDir);
    expect([...calls.keys()].sort()).toEqual([
      'notification_archive',
      'notification_create',
      'notifications_list',
    ]);
    for (const [tool, n] of calls) {
      const intents = records.filter((r) => r.stage === 'intent' && r.tool === tool);
      const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === tool);
      expect(outcomes, tool).toHaveLength(n);
      for (const o of outcomes)
        expect(
          intents.map((i) => i.id),
          tool,
        ).toContain(o.intent);
    }
  });
});
