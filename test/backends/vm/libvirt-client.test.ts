import { describe, expect, it } from 'vitest';
import type { Hypervisor } from '@unraid/libvirt';
import { LibvirtClient } from '../../../server/backends/vm/libvirt-client.js';
import { VM_DOWN } from '../../../server/backends/vm/vm-errors.js';

/**
 * A stand-in for the binding's Hypervisor whose connection can be "broken" (as when libvirtd
 * restarts): every call on a broken connection fails the way libvirt says a socket closed.
 */
function fakeLibvirt() {
  const state = { opens: 0, broken: new Set<number>(), down: false };
  const open = async (): Promise<Hypervisor> => {
    if (state.down)
      throw new Error("Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused");
    const id = ++state.opens;
    const fail = () =>
      state.broken.has(id) && Promise.reject(new Error('internal error: client socket is closed'));
    const h = {
      id,
      nodeGetInfo: async () => (await fail()) || { cpus: id },
      domainLookupByName: async () => (await fail()) || {},
      connectClose: async () => {},
    };
    return h as unknown as Hypervisor;
  };
  return { state, open };
}

describe('LibvirtClient', () => {
  it('opens one connection for concurrent calls and reuses it', async () => {
    const { state, open } = fakeLibvirt();
    const client = new LibvirtClient({ uri: 'qemu:///system', open });
    const results = await Promise.all([1, 2, 3].map(() => client.call('Reading', (lv) => lv.nodeInfo())));
    expect(results.map((r) => r.cpus)).toEqual([1, 1, 1]);
    expect(state.opens).toBe(1);
  });

  it('after libvirtd restarts, reads reconnect once — concurrent ones share the one new connection', async () => {
    const { state, open } = fakeLibvirt();
    const calls: string[] = [];
    const client = new LibvirtClient({ uri: 'qemu:///system', open, onCall: (op) => calls.push(op) });
    await client.call('Reading', (lv) => lv.nodeInfo());
    state.broken.add(1);
    const results = await Promise.all(
      [1, 2, 3].map(() => client.call('Reading', (lv) => lv.nodeInfo(), { retry: true })),
    );
    expect(results.map((r) => r.cpus)).toEqual([2, 2, 2]);
    expect(state.opens).toBe(2);
    expect(calls.filter((c) => c === 'connectOpen')).toHaveLength(2);
  });

  it('does not retry a change on a lost connection, but the next call reconnects', async () => {
    const { state, open } = fakeLibvirt();
    const client = new LibvirtClient({ uri: 'qemu:///system', open });
    await client.call('Reading', (lv) => lv.nodeInfo());
    state.broken.add(1);
    await expect(client.call('Starting VM "x"', (lv) => lv.lookupByName('x'))).rejects.toThrow(VM_DOWN);
    expect(state.opens).toBe(1);
    expect((await client.call('Reading', (lv) => lv.nodeInfo())).cpus).toBe(2);
  });

  it('says the VM service is not running while libvirtd is down, and recovers when it is back', async () => {
    const { state, open } = fakeLibvirt();
    state.down = true;
    const client = new LibvirtClient({ uri: 'qemu:///system', open });
    await expect(client.call('Reading', (lv) => lv.nodeInfo(), { retry: true })).rejects.toMatchObject({
      code: 'backend_unavailable',
      message: VM_DOWN,
    });
    state.down = false;
    expect((await client.call('Reading', (lv) => lv.nodeInfo())).cpus).toBe(1);
  });
});
