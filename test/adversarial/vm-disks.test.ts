import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { confirmFlow } from '../helpers/confirm-flow.js';
import { caller, resultText, vmShareDirs } from '../tools/vm/vm-helpers.js';

/**
 * The attack: the owner hides and protects "Windows 11" (filters deny `Windows*`, protected
 * `Windows*`). An agent cannot see or touch it — but it can guess where Unraid keeps its disk,
 * define a new VM on that image with vm_create, and delete the new VM with deleteDisks: the protected
 * VM's disk goes with it. Both halves are refused now: vm_create attaches no image another VM uses,
 * and vm_delete deletes no image another VM uses. Neither answer names a VM the filters hide.
 *
 * On libvirt's test driver, from a node written for this file so the VMs' disks are real files in a
 * temporary domains share (links and a hard link included), over real HTTP with the MCP client.
 */
const HIDDEN = 'Windows 11';
const HIDDEN_UUID = '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';
let srv: TestServer;
let client: Client;
let shares: Awaited<ReturnType<typeof vmShareDirs>>;
const call = caller(() => client);
const { withApproval } = confirmFlow(() => srv, call);
const DISK_BYTES = 'the protected VM’s only disk — irreplaceable\n';
let hiddenDisk = '';
let sharedDisk = '';

/** One shut-off test-driver domain whose disks are these files. */
function domain(name: string, uuid: string, disks: string[]): string {
  const devices = disks
    .map(
      (file, i) =>
        `<disk type="file" device="disk"><driver name="qemu" type="raw"/><source file="${file}"/>` +
        `<target dev="vd${String.fromCharCode(97 + i)}" bus="virtio"/></disk>`,
    )
    .join('');
  return `<domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
    <name>${name}</name><uuid>${uuid}</uuid><memory unit="MiB">512</memory><vcpu>1</vcpu>
    <os><type arch="x86_64">hvm</type></os><devices>${devices}</devices><test:runstate>5</test:runstate>
  </domain>`;
}

beforeAll(async () => {
  shares = await vmShareDirs();
  const d = shares.domains;
  hiddenDisk = join(d, HIDDEN, 'vdisk1.img');
  sharedDisk = join(d, 'shared', 'data.img');
  await Promise.all(['Windows 11', 'shared', 'Borrowed Earlier'].map((f) => mkdir(join(d, f))));
  await writeFile(hiddenDisk, DISK_BYTES);
  await writeFile(sharedDisk, 'shared data\n');
  // Other names for the hidden VM's disk, as an attacker who can write in the share would make them.
  await symlink(join(HIDDEN, 'vdisk1.img'), join(d, 'innocent.img'));
  await symlink(join('..', HIDDEN, 'vdisk1.img'), join(d, 'Borrowed Earlier', 'disk.img'));
  await link(hiddenDisk, join(d, 'hardlink.img'));
  const node = join(shares.root, 'node.xml');
  await writeFile(
    node,
    `<?xml version="1.0"?><node>
  <cpu><mhz>3400</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>2</threads><active>4</active></cpu>
  <memory>8388608</memory>
  ${domain(HIDDEN, HIDDEN_UUID, [hiddenDisk, join(d, 'Ghost', 'vdisk1.img')])}
  ${domain('Borrowed Earlier', '1c2d3e4f-5061-4728-9930-4b5c6d7e8f90', [join(d, 'Borrowed Earlier', 'disk.img')])}
  ${domain('Shared Visible', '2d3e4f50-6172-4839-8a41-5c6d7e8f9001', [sharedDisk])}
  ${domain('Also Visible', '3e4f5061-7283-494a-9b52-6d7e8f900112', [sharedDisk])}
</node>`,
  );
  srv = await startTestServer({
    env: { LIBVIRT_URI: `test://${node}`, ...shares.env },
    policy: { filters: { vms: { allow: [], deny: ['Windows*'] } }, protected: { vms: ['Windows*'] } },
    settingsCfg: 'APPROVAL_WAIT_SECONDS="20"\n',
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv?.close();
  await shares?.cleanup();
});

const vmNames = async () =>
  ((await call('vm_list', {})).structuredContent as { vms: Array<{ name: string }> }).vms.map((v) => v.name);
const pendingConfirmations = async () =>
  ((await srv.admin('GET', '/api/confirmations')).json.confirmations as Array<{ status: string }>).filter(
    (c) => c.status === 'pending',
  );

describe("borrowing a hidden, protected VM's disk through vm_create", () => {
  it('is refused before the owner is asked — by its path, through a link, or through a hard link — naming no VM', async () => {
    expect(await vmNames()).not.toContain(HIDDEN);
    for (const image of [
      hiddenDisk,
      join(shares.domains, 'innocent.img'),
      join(shares.domains, 'hardlink.img'),
    ]) {
      const res = await call('vm_create', { name: 'Borrower', memory: '256M', vcpus: 1, disks: [{ image }] });
      expect(res.isError, image).toBe(true);
      // "Borrowed Earlier" (visible) uses it through a link of its own and is named; the hidden VM is not.
      expect(resultText(res)).toBe(
        'disks[0].image: VM "Borrowed Earlier" and another VM use it already. Two VMs on one disk image corrupt it, so vm_create never attaches an image another VM uses. Attach an image no other VM uses, or give `size` for a new, empty one.',
      );
      // Nothing in the whole answer names the hidden VM or gives its UUID.
      expect(JSON.stringify(res)).not.toContain('Windows');
      expect(JSON.stringify(res)).not.toContain(HIDDEN_UUID);
    }
    expect(await pendingConfirmations()).toEqual([]);
    expect(await vmNames()).not.toContain('Borrower');
    expect(await readFile(hiddenDisk, 'utf8')).toBe(DISK_BYTES);
  });

  it("is refused for a new image at a path the hidden VM's definition names, which is not created", async () => {
    const res = await call('vm_create', { name: 'Ghost', memory: '256M', vcpus: 1, disks: [{ size: '1M' }] });
    expect(resultText(res)).toBe(
      `disks[0] (new image ${join(shares.domains, 'Ghost', 'vdisk1.img')}): the file does not exist yet, but another VM uses it as a disk in its definition, so vm_create will not create it. Choose another name for the new VM.`,
    );
    expect(JSON.stringify(res)).not.toContain('Windows');
    expect(existsSync(join(shares.domains, 'Ghost'))).toBe(false);
  });

  it('names the VMs that use an image when the caller may see them', async () => {
    const res = await call('vm_create', {
      name: 'Borrower',
      memory: '256M',
      vcpus: 1,
      disks: [{ image: sharedDisk }],
    });
    expect(resultText(res)).toMatch(
      /^disks\[0\]\.image: VMs "Also Visible" and "Shared Visible" use it already\./,
    );
  });
});

describe('vm_delete with deleteDisks on a VM that shares its disk', () => {
  it('keeps an image a hidden VM uses — in the approval text and the result — and deletes only the VM', async () => {
    const source = join(shares.domains, 'Borrowed Earlier', 'disk.img');
    const { description, res } = await withApproval('vm_delete', {
      id: 'Borrowed Earlier',
      deleteDisks: true,
    });
    // The owner is told the disk stays, and why; the path is the one this VM's definition names.
    expect(description).toBe(
      `Delete VM "Borrowed Earlier" (no disk image is deleted); ${source} is kept: another VM uses it too, so it is never deleted.`,
    );
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toEqual({
      name: 'Borrowed Earlier',
      uuid: '1c2d3e4f-5061-4728-9930-4b5c6d7e8f90',
      deletedDisks: [],
      keptDisks: [{ path: source, why: 'another VM uses it too, so it is never deleted' }],
      message: `VM "Borrowed Earlier" deleted. Its disk images were kept. Kept ${source}: another VM uses it too, so it is never deleted.`,
    });
    expect(JSON.stringify(res)).not.toContain('Windows');
    expect(await readFile(hiddenDisk, 'utf8')).toBe(DISK_BYTES);
    expect(existsSync(source)).toBe(true);
    expect(await vmNames()).not.toContain('Borrowed Earlier');
    // The hidden VM still holds its disk: attaching it is still refused.
    const again = await call('vm_create', {
      name: 'Borrower',
      memory: '256M',
      vcpus: 1,
      disks: [{ image: source }],
    });
    expect(resultText(again)).toMatch(/^disks\[0\]\.image: another VM uses it already\./);
  });

  it('keeps an image a visible VM uses, naming that VM', async () => {
    const { description, res } = await withApproval('vm_delete', { id: 'Also Visible', deleteDisks: true });
    const why = 'VM "Shared Visible" uses it too, so it is never deleted';
    expect(description).toBe(
      `Delete VM "Also Visible" (no disk image is deleted); ${sharedDisk} is kept: ${why}.`,
    );
    expect(res.structuredContent).toMatchObject({ deletedDisks: [], keptDisks: [{ path: sharedDisk, why }] });
    expect(await readFile(sharedDisk, 'utf8')).toBe('shared data\n');
  });

  it('deletes an image once no other VM uses it', async () => {
    const { description, res } = await withApproval('vm_delete', { id: 'Shared Visible', deleteDisks: true });
    expect(description).toBe(`Delete VM "Shared Visible" and DELETE its disk images: ${sharedDisk}.`);
    expect(res.structuredContent).toMatchObject({ deletedDisks: [sharedDisk], keptDisks: [] });
    expect(existsSync(sharedDisk)).toBe(false);
  });
});
