import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';

const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';
type Data = Record<string, any>;

/**
 * gpu_status through a real MCP client over HTTP. nvidia-smi is a script printing nvidia-smi's CSV
 * format (and, switched, failing as it does without a driver, or missing); AMD and Intel cards are a
 * sysfs tree laid out as the kernel's /sys/class/drm; the GPU process inside a container is a real
 * process of a real container on the suite's dockerd, found through the real /proc/<pid>/cgroup.
 */
const MIB = 1024 * 1024;
const RTX = 'GPU-8f6a2c1e-5b3d-4c7a-9e21-0d4f6b7a8c90';
const P4 = 'GPU-2b7e9d04-13c5-4f8a-b6e2-7c1d9a0e3f55';
const GPU_QUERY =
  '--query-gpu=index,uuid,pci.bus_id,utilization.gpu,utilization.memory,memory.used,memory.total,temperature.gpu,power.draw,power.limit,fan.speed,clocks.gr,pstate,name';
const APPS_QUERY = '--query-compute-apps=pid,gpu_uuid,used_memory,process_name';
const FORMAT = '--format=csv,noheader,nounits';

let dir: string;
let sys: string;
let srv: TestServer;
let client: Client;
let containerPid: number;
let containerId: string;
const docker = testDocker();
let calls = 0;

const data = (res: CallToolResult) => res.structuredContent as Data;
async function call(): Promise<CallToolResult> {
  calls++;
  const res = (await client.callTool({ name: 'gpu_status', arguments: {} })) as CallToolResult;
  expect(JSON.parse((res.content[0] as { text: string }).text)).toEqual(res.structuredContent);
  return res;
}
async function put(path: string, text: string) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${text}\n`);
}
/** One PCI GPU in the sysfs tree: /sys/devices/pci0000:00/<bus> with class/drm/<card>/device → it. */
async function card(
  name: string,
  bus: string,
  vendor: string,
  driver: string,
  files: Record<string, string>,
) {
  const dev = join(sys, 'devices', 'pci0000:00', bus);
  await put(join(dev, 'vendor'), vendor);
  await mkdir(join(sys, 'bus', 'pci', 'drivers', driver), { recursive: true });
  await symlink(join('..', '..', '..', 'bus', 'pci', 'drivers', driver), join(dev, 'driver'));
  for (const [f, v] of Object.entries(files)) await put(join(dev, f), v);
  await mkdir(join(sys, 'class', 'drm', name), { recursive: true });
  await symlink(
    join('..', '..', '..', 'devices', 'pci0000:00', bus),
    join(sys, 'class', 'drm', name, 'device'),
  );
}
async function runs(): Promise<string[][]> {
  const log = await readFile(join(dir, 'runs.log'), 'utf8').catch(() => '');
  return log
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t').slice(0, -1));
}
const mode = (m: 'ok' | 'fail') => writeFile(join(dir, 'mode'), m);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'umcp-gpu-'));
  sys = join(dir, 'sys');
  // An AMD card with amdgpu's counters and hwmon, an Intel iGPU (i915: clock only), and the NVIDIA card
  // nvidia-smi also reports (listed once), plus a connector and a render node that are not cards.
  await card('card0', '0000:03:00.0', '0x1002', 'amdgpu', {
    gpu_busy_percent: '37',
    mem_busy_percent: '12',
    mem_info_vram_used: String(2048 * MIB),
    mem_info_vram_total: String(8176 * MIB),
    power_dpm_force_performance_level: 'auto',
    'hwmon/hwmon4/temp1_input': '52000',
    'hwmon/hwmon4/power1_average': '45120000',
    'hwmon/hwmon4/fan1_input': '1180',
  });
  await card('card1', '0000:00:02.0', '0x8086', 'i915', {});
  await put(join(sys, 'class', 'drm', 'card1', 'gt_act_freq_mhz'), '350');
  await card('card2', '0000:01:00.0', '0x10de', 'nvidia', {});
  await mkdir(join(sys, 'class', 'drm', 'card1-HDMI-A-1'), { recursive: true });
  await mkdir(join(sys, 'class', 'drm', 'renderD128'), { recursive: true });

  containerId = await docker.createContainer(`umcp-gpu-${process.pid}`, {}, true);
  containerPid = (await docker.docker.getContainer(containerId).inspect()).State.Pid;
  await writeFile(
    join(dir, 'gpus.csv'),
    [
      `0, ${RTX}, 00000000:01:00.0, 41, 12, 2915, 12288, 54, 62.18, 170.00, 41, 1837, P2, NVIDIA GeForce RTX 3060`,
      `1, ${P4}, 00000000:02:00.0, 0, 0, 0, 7680, 38, 6.91, 75.00, [N/A], 544, P8, Tesla P4`,
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'apps.csv'),
    [
      `${containerPid}, ${RTX}, 1536, /usr/lib/plexmediaserver/Plex Transcoder`,
      `${process.pid}, ${RTX}, 268, /usr/bin/python3`,
      '',
    ].join('\n'),
  );
  await mode('ok');
  const smi = join(dir, 'nvidia-smi');
  await writeFile(
    smi,
    [
      '#!/bin/sh',
      `{ for a in "$@"; do printf '%s\\t' "$a"; done; printf '\\n'; } >> '${dir}/runs.log'`,
      `if [ "$(cat '${dir}/mode')" = fail ]; then`,
      `  echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."`,
      '  exit 9',
      'fi',
      'case "$1" in',
      `  --query-gpu=*) cat '${dir}/gpus.csv' ;;`,
      `  --query-compute-apps=*) cat '${dir}/apps.csv' ;;`,
      '  *) exit 2 ;;',
      'esac',
      '',
    ].join('\n'),
  );
  await chmod(smi, 0o755);
  srv = await startTestServer({
    settingsCfg: UNRAID_ON,
    sysRoot: sys,
    procRoot: '/proc',
    tokens: [{ name: 'reader', scope: 'read' }],
    env: { UNRAID_MCP_NVIDIA_SMI: smi, DOCKER_HOST: `unix://${inject('dockerSocket')}` },
  });
  client = await srv.connect('reader');
});
afterAll(async () => {
  await srv?.close();
  await docker.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gpu_status', () => {
  it('NVIDIA from nvidia-smi with each process and its container; AMD and Intel from sysfs', async () => {
    const res = await call();
    expect(res.isError).toBeFalsy();
    const gpus = data(res).gpus as Data[];
    expect(gpus.map((g) => [g.vendor, g.source, g.pciBusId])).toEqual([
      ['nvidia', 'nvidia-smi', '0000:01:00.0'],
      ['nvidia', 'nvidia-smi', '0000:02:00.0'],
      ['amd', 'sysfs', '0000:03:00.0'],
      ['intel', 'sysfs', '0000:00:02.0'],
    ]);
    expect(gpus[0]).toEqual({
      vendor: 'nvidia',
      source: 'nvidia-smi',
      index: 0,
      name: 'NVIDIA GeForce RTX 3060',
      uuid: RTX,
      pciBusId: '0000:01:00.0',
      driver: 'nvidia',
      utilizationPercent: 41,
      memoryUtilizationPercent: 12,
      memoryUsedBytes: 2915 * MIB,
      memoryTotalBytes: 12288 * MIB,
      temperatureC: 54,
      powerWatts: 62.18,
      powerLimitWatts: 170,
      fanPercent: 41,
      fanRpm: null,
      clockMhz: 1837,
      performanceState: 'P2',
      processes: [
        {
          pid: containerPid,
          processName: '/usr/lib/plexmediaserver/Plex Transcoder',
          usedMemoryBytes: 1536 * MIB,
          containerId,
          containerName: `umcp-gpu-${process.pid}`,
        },
        {
          pid: process.pid,
          processName: '/usr/bin/python3',
          usedMemoryBytes: 268 * MIB,
          containerId: null,
          containerName: null,
        },
      ],
    });
    expect(gpus[1]).toMatchObject({
      name: 'Tesla P4',
      fanPercent: null,
      utilizationPercent: 0,
      processes: [],
    });
    expect(gpus[2]).toMatchObject({
      driver: 'amdgpu',
      name: 'card0',
      index: 0,
      utilizationPercent: 37,
      memoryUtilizationPercent: 12,
      memoryUsedBytes: 2048 * MIB,
      memoryTotalBytes: 8176 * MIB,
      temperatureC: 52,
      powerWatts: 45.12,
      fanRpm: 1180,
      performanceState: 'auto',
      processes: null,
    });
    expect(gpus[3]).toMatchObject({ driver: 'i915', name: 'card1', clockMhz: 350, utilizationPercent: null });
    expect(data(res).notes).toEqual([]);
    expect(data(res).message).toBe(
      '4 GPU(s): NVIDIA GeForce RTX 3060: 41% busy, 54 °C, 62.18 W, 2 process(es); Tesla P4: 0% busy, 38 °C, 6.91 W; ' +
        'AMD card0 (amdgpu): 37% busy, 52 °C, 45.12 W; INTEL card1 (i915).',
    );
  });

  it('runs nvidia-smi with exactly the query and format arguments, nothing else', async () => {
    const all = await runs();
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const args of all)
      expect([
        [GPU_QUERY, FORMAT],
        [APPS_QUERY, FORMAT],
      ]).toContainEqual(args);
  });

  it('nvidia-smi failing (no driver loaded): a note with its words; the other GPUs and the NVIDIA card from sysfs still listed', async () => {
    await mode('fail');
    try {
      const res = await call();
      expect(res.isError).toBeFalsy();
      expect(data(res).notes).toEqual([
        "nvidia-smi failed (exit status 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
      ]);
      expect((data(res).gpus as Data[]).map((g) => [g.vendor, g.source, g.driver])).toEqual([
        ['amd', 'sysfs', 'amdgpu'],
        ['intel', 'sysfs', 'i915'],
        ['nvidia', 'sysfs', 'nvidia'],
      ]);
    } finally {
      await mode('ok');
    }
  });

  it('no GPU at all (no nvidia-smi, no DRM cards): an empty list and why', async () => {
    const smi = join(dir, 'nvidia-smi');
    await rename(smi, `${smi}.away`);
    await rename(join(sys, 'class', 'drm'), join(sys, 'class', 'drm.away'));
    try {
      const res = await call();
      expect(res.isError).toBeFalsy();
      expect(data(res)).toEqual({
        gpus: [],
        notes: ['nvidia-smi is not installed (no NVIDIA driver plugin), so NVIDIA GPUs were not asked.'],
        message:
          'No GPU found. nvidia-smi is not installed (no NVIDIA driver plugin), so NVIDIA GPUs were not asked.',
      });
    } finally {
      await rename(`${smi}.away`, smi);
      await rename(join(sys, 'class', 'drm.away'), join(sys, 'class', 'drm'));
    }
  });

  it('Docker not answering: the container is given by id, with a note', async () => {
    const noDocker = await startTestServer({
      settingsCfg: UNRAID_ON,
      sysRoot: sys,
      procRoot: '/proc',
      env: { UNRAID_MCP_NVIDIA_SMI: join(dir, 'nvidia-smi') },
    });
    try {
      const c = await noDocker.connect();
      const res = (await c.callTool({ name: 'gpu_status', arguments: {} })) as CallToolResult;
      expect(data(res).notes).toEqual(['Docker did not answer, so containers are given by id only.']);
      expect((data(res).gpus as Data[])[0]!.processes[0]).toMatchObject({ containerId, containerName: null });
    } finally {
      await noDocker.close();
    }
  });

  it('a GPU process that exited with its container: no container is claimed for it', async () => {
    await docker.docker.getContainer(containerId).kill();
    await writeFile(
      join(dir, 'apps.csv'),
      `${containerPid}, ${RTX}, 1536, /usr/lib/plexmediaserver/Plex Transcoder\n`,
    );
    const res = await call();
    // nvidia-smi may still list a process for a moment after it exited; its /proc entry is gone.
    expect((data(res).gpus as Data[])[0]!.processes).toEqual([
      {
        pid: containerPid,
        processName: '/usr/lib/plexmediaserver/Plex Transcoder',
        usedMemoryBytes: 1536 * MIB,
        containerId: null,
        containerName: null,
      },
    ]);
  });

  it('writes an intent and an outcome record for every call', async () => {
    const records = await readAudit(srv.env.auditDir);
    const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === 'gpu_status');
    expect(outcomes).toHaveLength(calls);
    const intents = new Set(records.filter((r) => r.stage === 'intent').map((r) => r.id));
    for (const o of outcomes) expect(intents.has(o.intent ?? '')).toBe(true);
  });
});
