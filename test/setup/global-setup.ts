import type { TestProject } from 'vitest/node';
import { startDockerd, importBusyboxImage, type Dockerd } from '../../scripts/dockerd.mjs';
import { startLibvirtd, type Libvirtd } from '../../scripts/libvirtd.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerSocket: string;
    /** A busybox image in that dockerd, for test containers. */
    testImage: string;
    /** qemu:///system?socket=… of the suite's libvirtd (QEMU driver, `<domain type="qemu">` guests). */
    libvirtUri: string;
    /** That libvirtd's directory (config, sockets, pid and log files): see test/helpers/libvirtd.ts. */
    libvirtDir: string;
  }
}

let dockerd: Dockerd | undefined;
let libvirtd: Libvirtd | undefined;

/**
 * One private, real dockerd and one real libvirtd for the whole run, started side by side; tests read
 * them with inject('dockerSocket') and inject('libvirtUri'). If either cannot start, the run fails here
 * with the daemon's log — no test silently skips Docker or VMs.
 */
export async function setup(project: TestProject): Promise<void> {
  const [docker, libvirt] = await Promise.allSettled([
    startDockerd().then(async (d) => {
      dockerd = d;
      return { socket: d.socket, image: await importBusyboxImage(d.socket) };
    }),
    startLibvirtd().then((l) => (libvirtd = l)),
  ]);
  if (docker.status === 'rejected' || libvirt.status === 'rejected') {
    await teardown();
    const reasons = [docker, libvirt].flatMap((r) =>
      r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : [],
    );
    throw new Error(reasons.join('\n\n'));
  }
  project.provide('dockerSocket', docker.value.socket);
  project.provide('testImage', docker.value.image);
  project.provide('libvirtUri', libvirt.value.uri);
  project.provide('libvirtDir', libvirt.value.dir);
}

export async function teardown(): Promise<void> {
  await Promise.all([dockerd?.stop(), libvirtd?.stop()]);
  dockerd = libvirtd = undefined;
}
