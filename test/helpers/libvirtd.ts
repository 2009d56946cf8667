import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { attachLibvirtd, type LibvirtdControl } from '../../scripts/libvirtd.mjs';

const run = promisify(execFile);

/**
 * The suite's libvirtd (started by the global setup) from inside a test: `uri`, and `kill()` (SIGKILL,
 * a crash: running guests survive) and `start()` (again on the same socket, a no-op while it runs) for
 * tests of libvirtd going away mid-call. The daemon is shared by every test file, so a test that kills
 * it must not run alongside other files that use libvirt, and must start it again (in `finally`).
 */
export function testLibvirtd(): LibvirtdControl {
  return attachLibvirtd(inject('libvirtDir'));
}

/** `virsh -c <suite URI> ...args` (no shell); rejects with virsh's stderr when it fails. */
export async function virsh(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('virsh', ['-c', inject('libvirtUri'), ...args], { timeout: 30_000 });
    return stdout.trim();
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`virsh ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}
