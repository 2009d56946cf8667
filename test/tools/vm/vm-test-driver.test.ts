import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, symlink, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { XMLParser } from 'fast-xml-parser';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { readAudit } from '../../helpers/audit-file.js';
import { confirmFlow } from '../../helpers/confirm-flow.js';
import { caller, resultText, TEST_NODE_URI, vmShareDirs } from './vm-helpers.js';

/**
 * Every VM tool through a real MCP client over HTTP, against libvirt's test driver loaded from the
 * committed node XML (7 VMs: running, paused, shut off, crashed; names with spaces, parentheses and
 * non-ASCII letters). virsh runs as its own process and sees a fresh copy of the node, so changes it
 * makes (autostart, snapshots) are checked by its answer here and by read-back on real qemu elsewhere.
 */
let srv: TestServer;
let client: Client;
let shares: Awaited<ReturnType<typeof vmShareDirs>>;
const call = caller(() => client);
const { withToken, withApproval } = confirmFlow(() => srv, call);
const WIN = 'Windows 11 (Gaming)';
const WIN_UUID = '5f0c3b8e-1d2a-4c6e-9b7a-0e1f2a3b4c5d';

beforeAll(async () => {
  shares = await vmShareDirs();
  srv = await startTestServer({
    env: { LIBVIRT_URI: TEST_NODE_URI, ...shares.env },
    policy: { filters: { vms: { allow: [], deny: ['macOS*'] } }, protected: { vms: ['Home Assistant'] } },
    settingsCfg: 'APPROVAL_WAIT_SECONDS="20"\n',
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv.close();
  await shares.cleanup();
});

describe('vm_list', () => {
  it('lists every visible VM with state, vCPUs, memory and autostart, sorted by name', async () => {
    const res = await call('vm_list', {});
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as {
      vms: Array<Record<string, unknown>>;
      count: number;
      hiddenByFilters: number;
    };
    expect(out.vms.map((v) => [v.name, v.state])).toEqual([
      ['Debian Test', 'shut off'],
      ['Home Assistant', 'running'],
      ['pfSense', 'running'],
      ['Ubuntü Server 24.04', 'paused'],
      [WIN, 'shut off'],
      ['Windows Server 2022', 'crashed'],
    ]);
    expect(out.hiddenByFilters).toBe(1);
    expect(out.vms.find((v) => v.name === WIN)).toEqual({
      name: WIN,
      uuid: WIN_UUID,
      state: 'shut off',
      vcpus: 4,
      memoryBytes: 8 * 1024 ** 3,
      maxMemoryBytes: 8 * 1024 ** 3,
      autostart: false,
      protected: null,
    });
  });

  it('marks a protected VM with the protected list entry that names it', async () => {
    const out = (await call('vm_list', {})).structuredContent as {
      vms: Array<{ name: string; protected: unknown }>;
    };
    expect(out.vms.filter((v) => v.protected !== null)).toEqual([
      expect.objectContaining({
        name: 'Home Assistant',
        protected: { by: 'list', pattern: 'Home Assistant' },
      }),
    ]);
  });

  it('narrows by state and by name glob', async () => {
    const running = (await call('vm_list', { state: 'running' })).structuredContent as {
      vms: Array<{ name: string }>;
    };
    expect(running.vms.map((v) => v.name)).toEqual(['Home Assistant', 'pfSense']);
    const win = (await call('vm_list', { name: 'win*' })).structuredContent as {
      vms: Array<{ name: string }>;
    };
    expect(win.vms.map((v) => v.name)).toEqual([WIN, 'Windows Server 2022']);
  });
});

describe('vm_inspect and vm_xml', () => {
  it('summarises the definition: pinning, memory, disks, ISO, NIC, graphics, snapshots — never the VNC password', async () => {
    const res = await call('vm_inspect', { id: WIN });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toMatchObject({
      name: WIN,
      uuid: WIN_UUID,
      state: 'shut off',
      autostart: false,
      snapshotCount: 2,
      type: 'test',
      machine: 'pc-q35-7.2',
      vcpus: {
        count: 4,
        placement: 'static',
        pinning: [
          { vcpu: 0, cpuset: '2' },
          { vcpu: 1, cpuset: '6' },
          { vcpu: 2, cpuset: '3' },
          { vcpu: 3, cpuset: '7' },
        ],
      },
      memory: { maxBytes: 8 * 1024 ** 3, currentBytes: 8 * 1024 ** 3 },
      disks: [
        {
          device: 'disk',
          target: 'vda',
          bus: 'virtio',
          source: `/mnt/user/domains/${WIN}/vdisk1.img`,
          format: 'raw',
          readonly: false,
        },
        {
          device: 'cdrom',
          target: 'sda',
          bus: 'sata',
          source: '/mnt/user/isos/Win11_23H2_English_x64.iso',
          format: 'raw',
          readonly: true,
        },
      ],
      isos: ['/mnt/user/isos/Win11_23H2_English_x64.iso'],
      nics: [{ mac: '52:54:00:a1:b2:c3', type: 'bridge', source: 'br0', model: 'virtio' }],
      graphics: [{ type: 'vnc', port: 5900, autoport: false, listen: '0.0.0.0', locked: true }],
      hostdevCount: 0,
    });
    expect(JSON.stringify(res)).not.toContain('vnc-secret-1234');
  });

  it('finds a VM by UUID as well as by name', async () => {
    const res = await call('vm_inspect', { id: WIN_UUID.toUpperCase() });
    expect(res.structuredContent).toMatchObject({ name: WIN, uuid: WIN_UUID });
  });

  it('returns the domain XML, well-formed, with the password redacted', async () => {
    const res = await call('vm_xml', { id: WIN });
    const { xml } = res.structuredContent as { xml: string };
    expect(xml).toContain('<name>Windows 11 (Gaming)</name>');
    expect(xml).toContain('passwd="[redacted]"');
    expect(JSON.stringify(res)).not.toContain('vnc-secret-1234');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as { domain: { uuid: string } };
    expect(parsed.domain.uuid).toBe(WIN_UUID);
  });

  it('keeps hidden VMs hidden by name and by UUID, and says so plainly for unknown ones', async () => {
    for (const id of ['macOS Sonoma', '6f708192-a3b4-45c6-d7e8-f9a0b1c2d3e4']) {
      const res = await call('vm_inspect', { id });
      expect(res.isError).toBe(true);
      expect(resultText(res)).toMatch(/VM filter/);
    }
    const missing = await call('vm_inspect', { id: 'Nope VM' });
    expect(resultText(missing)).toBe('No VM named or with UUID "Nope VM". Use vm_list to see the VMs.');
  });
});

describe('snapshots', () => {
  it('lists snapshots with the creation time and state libvirt recorded, oldest first', async () => {
    const res = await call('vm_snapshot_list', { id: WIN });
    expect(res.structuredContent).toEqual({
      name: WIN,
      uuid: WIN_UUID,
      count: 2,
      snapshots: [
        {
          name: 'fresh-install',
          description: 'Clean Windows, activated',
          createdAt: '2024-10-27T03:33:20.000Z',
          state: 'shutoff',
          parent: null,
          current: false,
        },
        {
          name: 'before-driver-update',
          description: 'GPU driver 551 worked',
          createdAt: '2024-11-16T08:00:00.000Z',
          state: 'shutoff',
          parent: null,
          current: false,
        },
      ],
    });
  });

  it('takes a snapshot, and refuses a taken name or a name virsh could misread', async () => {
    const ok = await call('vm_snapshot_create', { id: WIN, name: 'before mcp test', description: 'a & <b>' });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toMatchObject({ vm: WIN, snapshot: 'before mcp test' });
    const taken = await call('vm_snapshot_create', { id: WIN, name: 'fresh-install' });
    expect(resultText(taken)).toMatch(/already has a snapshot named "fresh-install"/);
    for (const name of ['--help', 'a/b', 'x\ny', '']) {
      const bad = await call('vm_snapshot_create', { id: WIN, name });
      expect(bad.isError).toBe(true);
      expect(resultText(bad)).toMatch(/Invalid arguments for vm_snapshot_create: "name": a snapshot name is/);
    }
  });

  it('reverts to a snapshot once the owner approves, and refuses an unknown one before asking', async () => {
    const { description, res } = await withApproval('vm_snapshot_revert', {
      id: WIN,
      snapshot: 'fresh-install',
    });
    expect(description).toBe(
      `Revert VM "${WIN}" to snapshot "fresh-install" — every change since that snapshot is lost.`,
    );
    expect(res.structuredContent).toMatchObject({ vm: WIN, snapshot: 'fresh-install', state: 'shut off' });
    const unknown = await call('vm_snapshot_revert', { id: WIN, snapshot: 'nope' });
    expect(resultText(unknown)).toBe(
      `VM "${WIN}" has no snapshot named "nope". Its snapshots: "before-driver-update", "fresh-install".`,
    );
    const { json } = await srv.admin('GET', '/api/confirmations');
    expect((json.confirmations as Array<{ status: string }>).filter((c) => c.status === 'pending')).toEqual(
      [],
    );
  });

  it('deletes a snapshot once the owner approves (destructive: approval by default)', async () => {
    const { description, res } = await withApproval('vm_snapshot_delete', {
      id: WIN,
      snapshot: 'before-driver-update',
    });
    expect(description).toBe(
      `Delete snapshot "before-driver-update" of VM "${WIN}" (the VM itself is kept).`,
    );
    expect(res.structuredContent).toMatchObject({ vm: WIN, snapshot: 'before-driver-update' });
  });
});

describe('lifecycle', () => {
  it('starts a shut-off VM without confirmation, and says so when it already runs', async () => {
    const res = await call('vm_start', { id: 'Debian Test' });
    expect(res.structuredContent).toMatchObject({
      name: 'Debian Test',
      previousState: 'shut off',
      state: 'running',
      changed: true,
    });
    const again = await call('vm_start', { id: 'Debian Test' });
    expect(again.structuredContent).toMatchObject({
      changed: false,
      message: 'VM "Debian Test" is already running; nothing was done.',
    });
  });

  it('pauses and resumes; pausing a shut-off VM is refused in plain words and changes nothing', async () => {
    const bad = await call('vm_pause', { id: WIN });
    expect(bad.isError).toBe(true);
    expect(resultText(bad)).toBe(
      `VM "${WIN}" is shut off, so there is nothing to pause. Start it first with vm_start.`,
    );
    expect((await call('vm_pause', { id: 'Debian Test' })).structuredContent).toMatchObject({
      previousState: 'running',
      state: 'paused',
      changed: true,
    });
    const startPaused = await call('vm_start', { id: 'Debian Test' });
    expect(resultText(startPaused)).toMatch(/is paused, not shut off. Use vm_resume/);
    expect((await call('vm_resume', { id: 'Debian Test' })).structuredContent).toMatchObject({
      previousState: 'paused',
      state: 'running',
      changed: true,
    });
    expect((await call('vm_resume', { id: 'Debian Test' })).structuredContent).toMatchObject({
      changed: false,
    });
  });

  it('reboots a running VM through virsh after a confirmation token', async () => {
    const { first, res } = await withToken('vm_restart', { id: 'pfSense' });
    expect(resultText(first)).toMatch(/Reboot VM "pfSense"/);
    expect(res.structuredContent).toMatchObject({
      name: 'pfSense',
      previousState: 'running',
      state: 'running',
      changed: true,
    });
    const off = await call('vm_restart', { id: WIN });
    expect(resultText(off)).toBe(
      `VM "${WIN}" is shut off, so it cannot be rebooted. Start it with vm_start.`,
    );
  });

  it('sets autostart through virsh', async () => {
    const { res } = await withToken('vm_autostart', { id: 'pfSense', enabled: true });
    expect(res.structuredContent).toMatchObject({
      name: 'pfSense',
      autostart: true,
      changed: true,
      message: 'Autostart is now on for VM "pfSense".',
    });
    // virsh changed its own copy of the node; this process's copy still says off, and is believed.
    const { res: same } = await withToken('vm_autostart', { id: 'pfSense', enabled: false });
    expect(same.structuredContent).toMatchObject({
      autostart: false,
      changed: false,
      message: 'Autostart is already off for VM "pfSense"; nothing was done.',
    });
  });

  it('shuts a VM down with a token (the test driver powers off at once)', async () => {
    const { first, res } = await withToken('vm_stop', { id: 'Debian Test', timeout: 5 });
    expect(resultText(first)).toMatch(/Shut down VM "Debian Test" through ACPI, waiting up to 5 s/);
    expect(res.structuredContent).toMatchObject({
      previousState: 'running',
      state: 'shut off',
      changed: true,
      message: 'VM "Debian Test" shut down cleanly.',
    });
  });

  it('refuses a clean shutdown of a paused VM before asking for confirmation', async () => {
    const res = await call('vm_stop', { id: 'Ubuntü Server 24.04' });
    expect(res._meta?.['unraid-mcp/confirmation']).toBeUndefined();
    expect(resultText(res)).toBe(
      'VM "Ubuntü Server 24.04" is paused, so its guest cannot react to a shutdown request. Resume it with vm_resume first, or use vm_force_stop.',
    );
  });

  it('force-stops a crashed VM once the owner approves (destructive: approval by default)', async () => {
    const { description, res } = await withApproval('vm_force_stop', { id: 'Windows Server 2022' });
    expect(description).toMatch(/^Force-stop VM "Windows Server 2022" immediately/);
    expect(res.structuredContent).toMatchObject({
      previousState: 'crashed',
      state: 'shut off',
      changed: true,
    });
  });

  it('refuses to stop, pause, force-stop or delete a protected VM, whatever the token', async () => {
    for (const tool of ['vm_stop', 'vm_force_stop', 'vm_pause', 'vm_restart', 'vm_delete']) {
      const res = await call(tool, { id: 'Home Assistant' });
      expect(res.isError).toBe(true);
      expect(resultText(res)).toMatch(/protected/i);
    }
    const list = (await call('vm_list', { name: 'Home Assistant' })).structuredContent as {
      vms: Array<{ state: string }>;
    };
    expect(list.vms[0]?.state).toBe('running');
  });
});

describe('vm_create and vm_delete', () => {
  const NAME = 'Test & <VM> "quoted" (Ünïcode)';

  it('creates a VM with a new qcow2 image and an ISO once approved; the name survives XML escaping', async () => {
    await writeFile(join(shares.isos, 'debian netinst.iso'), 'iso');
    const args = {
      name: NAME,
      memory: '256M',
      vcpus: 2,
      machine: 'pc',
      disks: [{ size: '64M', format: 'qcow2' }],
      iso: join(shares.isos, 'debian netinst.iso'),
      description: 'made by a <test> & more',
    };
    const { description, res } = await withApproval('vm_create', args);
    expect(description).toBe(
      `Create VM ${JSON.stringify(NAME)}: 2 vCPUs, 256M memory, machine pc, disks: new qcow2 image ${join(shares.domains, NAME, 'vdisk1.img')} of 64M, ISO ${args.iso}, network on br0, VNC graphics.`,
    );
    expect(res.isError).toBeFalsy();
    const image = join(shares.domains, NAME, 'vdisk1.img');
    expect(res.structuredContent).toMatchObject({
      name: NAME,
      state: 'shut off',
      disks: [{ path: image, created: true }],
    });
    expect((await readFile(image)).subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
    const inspect = (await call('vm_inspect', { id: NAME })).structuredContent as Record<string, any>;
    expect(inspect).toMatchObject({
      name: NAME,
      description: 'made by a <test> & more',
      machine: 'pc',
      vcpus: { count: 2 },
      memory: { maxBytes: 256 * 1024 ** 2 },
    });
    expect(inspect.disks.map((d: { target: string; bus: string }) => `${d.target}/${d.bus}`)).toEqual([
      'vda/virtio',
      'hda/ide',
    ]);
    expect(inspect.nics).toEqual([
      expect.objectContaining({ type: 'bridge', source: 'br0', model: 'virtio' }),
    ]);
  });

  it('refuses bad specs before the owner is asked, each with a precise message', async () => {
    await mkdir(join(shares.domains, 'linked'), { recursive: true });
    await symlink('/', join(shares.domains, 'linked', 'root'));
    await writeFile(join(shares.domains, 'existing.img'), 'x');
    const base = { name: 'Bad Spec VM', memory: '256M', vcpus: 1 };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, name: 'pfSense' }, /A VM named "pfSense" already exists/],
      [{ ...base, vcpus: 64 }, /vcpus: 64 is more than this server has \(8 CPU threads\)/],
      [{ ...base, memory: '64G' }, /memory: 64 GiB is more than this server has \(16 GiB\)/],
      [{ ...base, memory: 'lots' }, /memory: "lots" is not a size/],
      [
        { ...base, disks: [{ image: '/etc/passwd' }] },
        /disks\[0\]\.image "\/etc\/passwd" is outside the domains share/,
      ],
      [{ ...base, disks: [{ image: `${shares.domains}/../isos/x.img` }] }, /contains a "\.\." segment/],
      [
        { ...base, disks: [{ image: join(shares.domains, 'linked', 'root', 'etc', 'shadow') }] },
        /is outside the domains share .*\(it leads to \/etc\/shadow\)/,
      ],
      [{ ...base, disks: [{ image: join(shares.domains, 'missing.img') }] }, /does not exist/],
      [
        { ...base, disks: [{ image: join(shares.domains, 'existing.img'), size: '1G' }] },
        /give either `image`/,
      ],
      [
        { ...base, iso: join(shares.domains, 'existing.img') },
        /iso ".*existing\.img" is outside the ISO share/,
      ],
      [{ ...base, name: 'macOS Clone' }, /not allowed by the owner's VM filters/],
      [{ ...base, name: 'bell\u0007' }, /the VM name contains control/],
      [{ ...base, name: 'a/b' }, /the VM name contains "\/"/],
      [
        { ...base, name: 'x'.repeat(10_000) },
        /Invalid arguments for vm_create: "name": the VM name is longer than 200 characters/,
      ],
      [{ ...base, bridge: 'br0; reboot' }, /a bridge is a network interface name/],
      [{ ...base, description: 'nul\u0000byte' }, /the description may not contain control characters/],
    ];
    for (const [args, message] of cases) {
      const res = await call('vm_create', args);
      expect(res.isError, JSON.stringify(args).slice(0, 100)).toBe(true);
      expect(resultText(res)).toMatch(message);
    }
    const { json } = await srv.admin('GET', '/api/confirmations');
    expect(
      (json.confirmations as Array<{ status: string; tool: string }>).filter((c) => c.status === 'pending'),
    ).toEqual([]);
    const names = ((await call('vm_list', {})).structuredContent as { vms: Array<{ name: string }> }).vms.map(
      (v) => v.name,
    );
    expect(names).not.toContain('Bad Spec VM');
  });

  it('refuses to delete a running VM', async () => {
    const res = await call('vm_delete', { id: 'pfSense' });
    expect(resultText(res)).toBe(
      'VM "pfSense" is running; only a shut-off VM can be deleted. Stop it with vm_stop (or vm_force_stop) first.',
    );
  });

  it('deletes a VM and, when asked, exactly the images listed in the approval request', async () => {
    const image = join(shares.domains, NAME, 'vdisk1.img');
    const { description, res } = await withApproval('vm_delete', { id: NAME, deleteDisks: true });
    expect(description).toBe(`Delete VM ${JSON.stringify(NAME)} and DELETE its disk images: ${image}.`);
    expect(res.structuredContent).toMatchObject({ name: NAME, deletedDisks: [image], keptDisks: [] });
    expect(existsSync(image)).toBe(false);
    expect(existsSync(join(shares.isos, 'debian netinst.iso'))).toBe(true);
    const names = ((await call('vm_list', {})).structuredContent as { vms: Array<{ name: string }> }).vms.map(
      (v) => v.name,
    );
    expect(names).not.toContain(NAME);
  });

  it('keeps disks by default and lists images outside the share as kept', async () => {
    const { description, res } = await withApproval('vm_delete', { id: 'Debian Test' });
    expect(description).toBe('Delete VM "Debian Test".');
    expect(res.structuredContent).toMatchObject({
      deletedDisks: [],
      keptDisks: [{ path: '/mnt/user/domains/Debian Test/vdisk1.img' }],
    });
  });
});

describe('audit', () => {
  it('records an intent and an outcome for every call, refusals included', async () => {
    const records = (await readAudit(srv.env.auditDir)).filter(
      (r) => r.stage !== 'event' && r.tool?.startsWith('vm_'),
    );
    const intents = records.filter((r) => r.stage === 'intent').length;
    expect(intents).toBeGreaterThan(30);
    expect(records.filter((r) => r.stage === 'outcome')).toHaveLength(intents);
    const pause = records.find(
      (r) =>
        r.tool === 'vm_pause' &&
        r.stage === 'outcome' &&
        (r.target as { name?: string } | null)?.name === WIN,
    );
    expect(pause).toMatchObject({ result: { status: 'error', code: 'conflict' } });
    const protectedStop = records.find(
      (r) =>
        r.tool === 'vm_stop' &&
        r.stage === 'outcome' &&
        (r.target as { name?: string } | null)?.name === 'Home Assistant',
    );
    expect(protectedStop).toMatchObject({ decision: { allowed: false } });
    const created = records.find(
      (r) =>
        r.tool === 'vm_create' && r.stage === 'outcome' && (r.result as { status: string }).status === 'ok',
    );
    expect(created).toBeDefined();
  });
});
