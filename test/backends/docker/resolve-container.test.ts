import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { resolveContainer } from '../../../server/backends/docker/resolve-container.js';
import { testDocker } from '../../helpers/docker.js';

const td = testDocker();
let plexId: string;
let sonarrId: string;
const signal = new AbortController().signal;

beforeAll(async () => {
  plexId = await td.createContainer('rc-plex', { 'unraid-mcp.protected': 'true' });
  sonarrId = await td.createContainer('rc-sonarr');
});
afterAll(() => td.cleanup());

describe('resolveContainer on a real dockerd', () => {
  it('resolves a name, a full ID and a unique ID prefix to the same container', async () => {
    const byName = await resolveContainer(td.docker, 'rc-plex', signal);
    expect(byName).toEqual({
      kind: 'container',
      id: plexId,
      name: 'rc-plex',
      labels: { 'unraid-mcp.protected': 'true' },
    });
    expect(await resolveContainer(td.docker, plexId, signal)).toEqual(byName);
    // the shortest prefix that is unique among the containers here
    let n = 4;
    while ([sonarrId].some((id) => id.startsWith(plexId.slice(0, n)))) n++;
    expect(await resolveContainer(td.docker, plexId.slice(0, Math.max(n, 12)), signal)).toEqual(byName);
  });

  it('refuses an ambiguous prefix without naming the candidates, and a too-short prefix', async () => {
    // 17 containers must share a first hex digit (pigeonhole); resolve that digit with a 1-character minimum.
    const ids = [plexId, sonarrId];
    let shared: string | undefined;
    for (let i = 0; !shared && i < 17; i++) {
      ids.push(await td.createContainer(`rc-extra-${i}`));
      shared = [...'0123456789abcdef'].find((d) => ids.filter((id) => id.startsWith(d)).length > 1);
    }
    const count = ids.filter((id) => id.startsWith(shared as string)).length;
    const err = await resolveContainer(td.docker, shared as string, signal, 1).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `The ID prefix "${shared}" matches ${count} containers. Use more characters of the ID, or the container name.`,
    );
    await expect(resolveContainer(td.docker, plexId.slice(0, 3), signal)).rejects.toThrow(
      /No container named or with ID/,
    );
  });

  it('rejects names with shell metacharacters or path tricks before asking Docker', async () => {
    for (const bad of ['plex; rm -rf /', '../etc', 'plex\u200b', 'a'.repeat(300), '']) {
      await expect(resolveContainer(td.docker, bad, signal)).rejects.toThrow(/is not a container name or ID/);
    }
  });

  it('says clearly when the Docker service is not running', async () => {
    const dead = new Docker({ socketPath: '/nonexistent/docker.sock' });
    await expect(resolveContainer(dead, 'plex', signal)).rejects.toThrow('The Docker service is not running');
  });
});
