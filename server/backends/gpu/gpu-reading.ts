/** A process using a GPU, with the container that runs it when there is one. */
export interface GpuProcess {
  pid: number;
  processName: string | null;
  usedMemoryBytes: number | null;
  containerId: string | null;
  containerName: string | null;
}

/** One GPU, from nvidia-smi or from the kernel's DRM sysfs; fields a source does not give are null. */
export interface GpuReading {
  vendor: 'nvidia' | 'amd' | 'intel' | 'other';
  source: 'nvidia-smi' | 'sysfs';
  index: number | null;
  name: string | null;
  uuid: string | null;
  pciBusId: string | null;
  driver: string | null;
  utilizationPercent: number | null;
  memoryUtilizationPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  temperatureC: number | null;
  powerWatts: number | null;
  powerLimitWatts: number | null;
  fanPercent: number | null;
  fanRpm: number | null;
  clockMhz: number | null;
  performanceState: string | null;
  /** Compute processes (nvidia-smi only); null where the source cannot tell. */
  processes: GpuProcess[] | null;
}

export const emptyReading = (vendor: GpuReading['vendor'], source: GpuReading['source']): GpuReading => ({
  vendor,
  source,
  index: null,
  name: null,
  uuid: null,
  pciBusId: null,
  driver: null,
  utilizationPercent: null,
  memoryUtilizationPercent: null,
  memoryUsedBytes: null,
  memoryTotalBytes: null,
  temperatureC: null,
  powerWatts: null,
  powerLimitWatts: null,
  fanPercent: null,
  fanRpm: null,
  clockMhz: null,
  performanceState: null,
  processes: null,
});
