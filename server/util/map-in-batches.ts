/**
 * Maps `items` through `fn`, `size` at a time, keeping order. For fan-outs to a backend where
 * launching everything at once only queues work (libvirt's calls share a small thread pool, virsh
 * is a process each) while every pending call holds memory.
 */
export async function mapInBatches<T, R>(
  items: ReadonlyArray<T>,
  size: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}
