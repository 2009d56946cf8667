/**
 * Calls `tick` every `ms` while the page is visible (and once at once). A hidden tab does not poll;
 * showing it again polls at once. Returns the function that stops it.
 */
export function pollWhileVisible(tick: () => Promise<unknown>, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const run = async () => {
    timer = undefined;
    if (stopped || document.visibilityState === 'hidden') return;
    await tick().catch(() => {});
    if (!stopped && timer === undefined) timer = setTimeout(() => void run(), ms);
  };
  const onVisibility = () => {
    if (document.visibilityState === 'visible' && timer === undefined) void run();
  };
  document.addEventListener('visibilitychange', onVisibility);
  void run();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
