import type Docker from 'dockerode';

/** Names of the given containers (id → name without the leading slash), from one list call. */
export async function containerNames(
  docker: Docker,
  ids: ReadonlyArray<string>,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  const list = await docker.listContainers({ all: true, filters: { id: [...ids] } });
  for (const c of list) names.set(c.Id, (c.Names[0] ?? '').replace(/^\//, '') || c.Id.slice(0, 12));
  return names;
}
