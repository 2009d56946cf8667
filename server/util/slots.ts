/**
 * A count of things running at once with a limit checked on entry: no queue, a caller that finds
 * every slot taken is told so at once (and can say "busy") instead of waiting in memory.
 */
export class Slots {
  private taken = 0;

  /** Slots taken now. */
  get count(): number {
    return this.taken;
  }

  /**
   * Takes a slot when fewer than `max` are taken (`max` is passed on every take, so a changed
   * setting applies at once). Returns the function that gives it back (once, however often it is
   * called), or null when all are taken.
   */
  tryTake(max: number): (() => void) | null {
    if (this.taken >= max) return null;
    this.taken++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.taken--;
    };
  }
}
