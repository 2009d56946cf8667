/**
 * Gives memory back after a busy spell. V8 collects garbage when JavaScript allocates, so a sidecar
 * that goes quiet after heavy use keeps the garbage of its last busy minutes — on a soak, ~90 MB of
 * heap — mapped for as long as it stays quiet, which on a home server is most of the time. Once
 * requests have stopped for `quietMs` and the heap V8 holds (its committed size, used or not) has
 * grown by `growthBytes` since the last collection, this runs one full collection, which returns the
 * freed pages to the system.
 * A single stray request (a health check, a metrics scrape) does not trigger it: the heap has to
 * have grown first.
 */
export class IdleCollector {
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private baseline: number;

  constructor(
    private readonly opts: {
      /** A full garbage collection (Node's `gc`, present with --expose-gc). */
      collect: () => void;
      /** The heap's committed size (process.memoryUsage().heapTotal): what the heap costs in RAM. */
      heapSize: () => number;
      quietMs: number;
      growthBytes: number;
      now?: () => number;
    },
  ) {
    this.baseline = opts.heapSize();
  }

  /** A request arrived: the quiet period starts over. Cheap enough for every request. */
  touch(): void {
    this.last = this.now();
    this.timer ??= this.arm(this.opts.quietMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(ms: number): NodeJS.Timeout {
    return setTimeout(() => this.check(), ms).unref();
  }

  private check(): void {
    const quietFor = this.now() - this.last;
    if (quietFor < this.opts.quietMs) {
      this.timer = this.arm(this.opts.quietMs - quietFor);
      return;
    }
    this.timer = null;
    if (this.opts.heapSize() - this.baseline < this.opts.growthBytes) return;
    this.opts.collect();
    this.baseline = this.opts.heapSize();
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
}
