import { formatBytes } from '../../util/byte-size.js';

/** One JSON line of Docker's pull stream (`POST /images/create`). */
export interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

type Phase = 'waiting' | 'downloading' | 'downloaded' | 'extracting' | 'done' | 'existed';

interface Layer {
  phase: Phase;
  downloaded: number;
  size: number | null;
  extracted: number;
}

/** Statuses Docker sends for a layer (an event with an `id` and one of these is about a layer). */
const LAYER_STATUS: ReadonlyArray<[RegExp, Phase]> = [
  [/^Pulling fs layer$/, 'waiting'],
  [/^Waiting$/, 'waiting'],
  [/^Retrying in /, 'waiting'],
  [/^Downloading$/, 'downloading'],
  [/^Verifying Checksum$/, 'downloaded'],
  [/^Download complete$/, 'downloaded'],
  [/^Extracting$/, 'extracting'],
  [/^Pull complete$/, 'done'],
  [/^Already exists$/, 'existed'],
];
const PHASE_ORDER: Phase[] = ['waiting', 'downloading', 'downloaded', 'extracting', 'done'];
/** Share of a layer's progress that is the download; extraction is the rest. */
const DOWNLOAD_SHARE = 0.8;

export interface PullSnapshot {
  /** 0–100, never decreasing between snapshots of one pull. */
  percent: number;
  layers: number;
  layersDone: number;
  downloadedBytes: number;
  /** Sum of the sizes Docker announced so far (layers still waiting may add to it). */
  totalBytes: number;
  message: string;
}

/**
 * Folds Docker's per-layer pull events into one progress figure. A layer counts by its download size
 * (80 % download, 20 % extraction); layers whose size is not known yet count as the average known
 * size. Layers already on the server are no work and weigh nothing. The percent reported never
 * goes down, even when a newly sized layer makes the total grow (MCP progress must increase), and
 * reaches 100 only when Docker reports the pull finished.
 */
export class PullProgress {
  private readonly layers = new Map<string, Layer>();
  private floor = 0;
  status: 'downloaded' | 'up_to_date' | null = null;
  digest: string | null = null;
  error: string | null = null;

  /** Applies one event; returns true when it changed what a snapshot would say. */
  update(ev: PullEvent): boolean {
    if (ev.error || ev.errorDetail?.message) {
      this.error = ev.errorDetail?.message ?? ev.error ?? 'unknown error';
      return true;
    }
    const status = ev.status ?? '';
    if (status.startsWith('Digest: ')) this.digest = status.slice(8).trim();
    if (status.startsWith('Status: Downloaded newer image')) this.status = 'downloaded';
    if (status.startsWith('Status: Image is up to date')) this.status = 'up_to_date';
    const phase = LAYER_STATUS.find(([re]) => re.test(status))?.[1];
    if (!ev.id || !phase) return status.startsWith('Status: ');
    const layer = this.layers.get(ev.id) ?? { phase: 'waiting', downloaded: 0, size: null, extracted: 0 };
    this.layers.set(ev.id, layer);
    const { current, total } = ev.progressDetail ?? {};
    if (phase === 'existed') layer.phase = 'existed';
    else if (layer.phase !== 'existed' && PHASE_ORDER.indexOf(phase) >= PHASE_ORDER.indexOf(layer.phase))
      layer.phase = phase;
    if (phase === 'downloading') {
      if (typeof total === 'number' && total > 0) layer.size = total;
      if (typeof current === 'number') layer.downloaded = Math.max(layer.downloaded, current);
    }
    if (phase === 'extracting') {
      if (typeof total === 'number' && total > 0 && layer.size === null) layer.size = total;
      if (typeof current === 'number') layer.extracted = Math.max(layer.extracted, current);
    }
    if ((phase === 'downloaded' || phase === 'extracting' || phase === 'done') && layer.size !== null)
      layer.downloaded = layer.size;
    return true;
  }

  snapshot(): PullSnapshot {
    const all = [...this.layers.values()];
    const sized = all.filter((l) => l.size !== null && l.phase !== 'existed');
    const avg = sized.length ? sized.reduce((s, l) => s + (l.size as number), 0) / sized.length : 1;
    let weight = 0;
    let done = 0;
    // Layers already on the server are no work: they weigh nothing.
    for (const l of all) {
      if (l.phase === 'existed') continue;
      const w = l.size ?? avg;
      weight += w;
      done += w * layerFraction(l);
    }
    const raw =
      weight === 0
        ? all.length > 0 && all.every((l) => l.phase === 'existed')
          ? 100
          : 0
        : (done / weight) * 100;
    // 100 only once Docker reports the pull finished (the image still has to be registered).
    this.floor = this.status ? 100 : Math.max(this.floor, Math.min(99.9, Math.round(raw * 10) / 10));
    const downloadedBytes = all.reduce((s, l) => s + (l.phase === 'existed' ? 0 : l.downloaded), 0);
    const totalBytes = sized.reduce((s, l) => s + (l.size as number), 0);
    const layersDone = all.filter((l) => l.phase === 'done' || l.phase === 'existed').length;
    return {
      percent: this.floor,
      layers: all.length,
      layersDone,
      downloadedBytes,
      totalBytes,
      message: this.describe(all, layersDone, downloadedBytes, totalBytes),
    };
  }

  private describe(all: Layer[], layersDone: number, downloaded: number, total: number): string {
    if (this.status === 'up_to_date') return 'Image is up to date';
    if (this.status === 'downloaded')
      return `Downloaded ${formatBytes(downloaded)} in ${all.length} layer${all.length === 1 ? '' : 's'}`;
    if (all.length === 0) return 'Contacting the registry';
    const verb = all.some((l) => l.phase === 'downloading' || l.phase === 'waiting')
      ? 'Downloading'
      : 'Extracting';
    const bytes = total > 0 ? `${formatBytes(downloaded)} of ${formatBytes(total)}` : formatBytes(downloaded);
    return `${verb}: ${layersDone} of ${all.length} layers done, ${bytes}`;
  }
}

function layerFraction(l: Layer): number {
  switch (l.phase) {
    case 'existed':
    case 'done':
      return 1;
    case 'waiting':
      return 0;
    case 'downloading':
      return l.size ? DOWNLOAD_SHARE * Math.min(1, l.downloaded / l.size) : 0;
    case 'downloaded':
      return DOWNLOAD_SHARE;
    case 'extracting':
      return DOWNLOAD_SHARE + (1 - DOWNLOAD_SHARE) * (l.size ? Math.min(1, l.extracted / l.size) : 0);
  }
}
