import { describe, expect, it } from 'vitest';
import { containerRequestSchema } from '../../../server/tools/docker/shared/container-request.js';
import { describeCreate } from '../../../server/tools/docker/shared/create-description.js';
import { checkCreatePolicy } from '../../../server/safety/create-policy/create-policy.js';
import type { MountFacts } from '../../../server/safety/create-policy/volume-mounts.js';
import type { VolumesFromSource } from '../../../server/backends/docker/inherited-mounts.js';
import type { ImageCommand } from '../../../server/backends/docker/effective-command.js';

/**
 * The approval text of docker_create on its own (the facts are what the tool reads from Docker
 * first): the effective mounts with where inherited ones come from, and the command the container
 * runs, without the secrets its arguments may hold.
 */
const allowlist = ['/mnt/user/appdata/*'];
const ID = 'a'.repeat(64);
const facts: MountFacts = {
  volumesFrom: new Map<string, VolumesFromSource | null>([
    [
      'app',
      {
        id: ID,
        name: 'app',
        mounts: [
          { type: 'bind', container: '/config', readOnly: false, host: '/mnt/user/appdata/app' },
          { type: 'volume', container: '/data/', readOnly: true, volume: { name: 'appdata', source: null } },
        ],
      },
    ],
    [
      'later',
      {
        id: 'b'.repeat(64),
        name: 'later',
        mounts: [{ type: 'bind', container: '/data', readOnly: false, host: '/mnt/user/appdata/later' }],
      },
    ],
  ]),
  volumeSources: new Map([['binder', { kind: 'path', path: '/mnt/user/appdata/binder' }]]),
};

function text(extra: Record<string, unknown>, image: ImageCommand | null = { Cmd: ['/bin/sh'] }): string {
  const req = containerRequestSchema.parse({ name: 'd-test', image: 'busybox:1', ...extra });
  return describeCreate(req, checkCreatePolicy(req, { allowlist, ...facts }), facts, image);
}

describe('the mounts the approver sees', () => {
  it('lists own and inherited mounts, and marks the inherited ones Docker replaces', () => {
    const t = text({
      binds: [{ host: '/mnt/user/appdata/own', container: '/config/' }],
      volumes: [{ name: 'binder', container: '/b' }],
      volumes_from: ['app', 'later:ro'],
    });
    expect(t).toContain(
      'Mounts: /mnt/user/appdata/own → /config/ (rw), ' +
        'volume binder (a bind of /mnt/user/appdata/binder) → /b (rw), ' +
        '/mnt/user/appdata/app → /config (rw) from container "app" — not used: this request mounts something else there, ' +
        'volume appdata → /data/ (ro) from container "app" — not used: a later volumes_from container mounts something there, ' +
        '/mnt/user/appdata/later → /data (ro) from container "later".',
    );
  });
});

describe('the command the approver sees', () => {
  it.each<[string, Record<string, unknown>, ImageCommand | null, string]>([
    ["the image's command", {}, { Cmd: ['/bin/sh'] }, 'Runs: command ["/bin/sh"] (the image\'s).'],
    [
      "the request's command after the image's entrypoint",
      { command: ['serve', '--port', '80'] },
      { Entrypoint: ['/init'], Cmd: ['default'] },
      'Runs: entrypoint ["/init"] (the image\'s), command ["serve","--port","80"] (from the request).',
    ],
    [
      "the request's entrypoint, which drops the image's command",
      { entrypoint: ['/bin/sh', '-c'] },
      { Entrypoint: ['/init'], Cmd: ['default'] },
      'Runs: entrypoint ["/bin/sh","-c"] (from the request).',
    ],
    [
      'an image that is not on the server',
      { command: ['sleep', '1'] },
      null,
      'Runs: command ["sleep","1"] (from the request); the image is not on this server, so what it adds cannot be shown',
    ],
    [
      'nothing to run',
      {},
      {},
      'Runs: nothing — neither the request nor the image gives a command, so Docker will refuse it.',
    ],
    [
      'a newline in an argument (it cannot forge a line)',
      { command: ['sh', '-c', 'x\nLimits: none'] },
      {},
      'Runs: command ["sh","-c","x\\nLimits: none"] (from the request).',
    ],
  ])('%s', (_what, extra, image, line) => {
    expect(text(extra, image)).toContain(line);
  });

  it('hides secrets on the command line as the arguments are hidden (util/redact)', () => {
    const token = `ghp_${'A1b2'.repeat(9)}`;
    const t = text({ entrypoint: ['/app'], command: ['--db', 'DB_PASSWORD=Hunter2Secret', token] }, {});
    expect(t).toContain(
      'Runs: entrypoint ["/app"] (from the request), command ["--db","DB_PASSWORD=[REDACTED]","[REDACTED]"] (from the request).',
    );
    expect(t).not.toContain('Hunter2Secret');
    expect(t).not.toContain(token);
  });

  it('shortens a huge command and says how much is left out', () => {
    const t = text({ command: Array.from({ length: 50 }, () => 'y'.repeat(100)) });
    expect(t).toMatch(/command \["y{100}".*… \(\d+ more characters not shown\) \(from the request\)/);
  });
});
