import type Docker from 'dockerode';
import { ToolError } from '../../errors/tool-error.js';

export interface RecreatePlan {
  create: Docker.ContainerCreateOptions;
  /** Networks beyond the first, connected after create (the API takes one network at create time). */
  extraNetworks: Array<{ name: string; endpoint: Docker.EndpointSettings }>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The create body that rebuilds `info` on `image`: its Config, HostConfig, networks and name. Values
 * the container only has because the *old image* set them (CMD, ENTRYPOINT, ENV entries, labels,
 * exposed ports, volumes, healthcheck…) are left out so the new image's own values apply — otherwise
 * an update would freeze the old image's defaults forever. Anonymous volumes are carried over by name
 * so their data survives.
 */
export function recreatePlan(
  info: Docker.ContainerInspectInfo,
  image: string,
  oldImage: Docker.ImageInspectInfo | null,
): RecreatePlan {
  const cfg: Record<string, unknown> = { ...info.Config };
  const img = (oldImage?.Config ?? {}) as Partial<Docker.ImageInspectInfo['Config']> &
    Record<string, unknown>;
  for (const key of [
    'Cmd',
    'Entrypoint',
    'WorkingDir',
    'User',
    'Healthcheck',
    'StopSignal',
    'Shell',
    'OnBuild',
  ]) {
    if (key in cfg && same(cfg[key], img[key])) delete cfg[key];
  }
  const imgEnv = new Set(img.Env ?? []);
  cfg.Env = (info.Config.Env ?? []).filter((e) => !imgEnv.has(e));
  const imgLabels = img.Labels ?? {};
  cfg.Labels = Object.fromEntries(
    Object.entries(info.Config.Labels ?? {}).filter(([k, v]) => imgLabels[k] !== v),
  );
  const imgPorts = (img.ExposedPorts ?? {}) as Record<string, unknown>;
  cfg.ExposedPorts = Object.fromEntries(
    Object.entries(info.Config.ExposedPorts ?? {}).filter(([k]) => !(k in imgPorts)),
  );
  const imgVolumes = (img.Volumes ?? {}) as Record<string, unknown>;
  cfg.Volumes = Object.fromEntries(
    Object.entries(info.Config.Volumes ?? {}).filter(([k]) => !(k in imgVolumes)),
  );
  if (cfg.Hostname === info.Id.slice(0, 12)) delete cfg.Hostname;
  cfg.Image = image;

  const host: Docker.HostConfig = { ...info.HostConfig };
  const binds = [...(host.Binds ?? [])];
  const taken = new Set([...binds.map((b) => b.split(':')[1]), ...(host.Mounts ?? []).map((m) => m.Target)]);
  for (const m of info.Mounts ?? []) {
    const anonymous = m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name);
    if (anonymous && !taken.has(m.Destination)) binds.push(`${m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`);
  }
  host.Binds = binds;

  const mode = host.NetworkMode ?? 'default';
  const primary = mode === 'default' ? 'bridge' : mode;
  const shortId = info.Id.slice(0, 12);
  const endpoint = (e: Docker.EndpointSettings): Docker.EndpointSettings => ({
    ...(e.IPAMConfig ? { IPAMConfig: e.IPAMConfig } : {}),
    ...(e.Links?.length ? { Links: e.Links } : {}),
    ...(e.Aliases?.length ? { Aliases: e.Aliases.filter((a) => a !== shortId) } : {}),
    ...(e.DriverOpts ? { DriverOpts: e.DriverOpts } : {}),
  });
  const networks = Object.entries(info.NetworkSettings?.Networks ?? {});
  const standalone = ['host', 'none'].includes(primary) || primary.startsWith('container:');
  const first = networks.find(([n]) => n === primary);
  return {
    create: {
      ...(cfg as Docker.ContainerCreateOptions),
      name: info.Name.replace(/^\//, ''),
      HostConfig: host,
      ...(first && !standalone
        ? { NetworkingConfig: { EndpointsConfig: { [primary]: endpoint(first[1]) } } }
        : {}),
    },
    extraNetworks: standalone
      ? []
      : networks.filter(([n]) => n !== primary).map(([name, e]) => ({ name, endpoint: endpoint(e) })),
  };
}

export interface RecreateOptions {
  signal: AbortSignal;
  step: (message: string) => void;
  /** How long the new container must keep running before the old one is removed. */
  settleMs: number;
  now: Date;
  /** Test seam: changes the new container's create body (tests make it fail to start). */
  adjust?: (create: Docker.ContainerCreateOptions) => Docker.ContainerCreateOptions;
}

/** Docker's reason, first line, without socket paths. */
export function reasonOf(err: unknown): string {
  if (err instanceof ToolError) return err.message;
  const e = err as { json?: { message?: string } | null; reason?: string; message?: string };
  const raw = e.json?.message ?? e.message ?? e.reason ?? String(err);
  return (raw.split('\n')[0] ?? '')
    .replace(/(unix:\/\/)?\/[\w./-]*docker\.sock/g, 'the Docker socket')
    .slice(0, 300);
}

const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

/**
 * Re-creates a container on a new image, keeping the old one until the new one runs: stop old →
 * rename it `<name>-old-<time>` → create and start the new one under the name → wait `settleMs` and
 * check it still runs → remove the old one. Any failure on the way removes the new container, gives
 * the old one its name back and restarts it if it was running. The steps themselves are not
 * cancellable (a half-done swap is worse than a finished one); cancellation is honoured between them.
 */
export async function recreateContainer(
  docker: Docker,
  info: Docker.ContainerInspectInfo,
  plan: RecreatePlan,
  opts: RecreateOptions,
): Promise<{ id: string; oldRemoved: boolean }> {
  const name = info.Name.replace(/^\//, '');
  const old = docker.getContainer(info.Id);
  const wasRunning = info.State.Running || info.State.Restarting;
  const backup = `${name}-old-${stamp(opts.now)}`;
  let stage = 'stopping the old container';
  let renamed = false;
  let created: Docker.Container | null = null;
  const checkpoint = () => {
    if (opts.signal.aborted) throw opts.signal.reason;
  };
  try {
    if (wasRunning) {
      opts.step(`Stopping "${name}"`);
      await old.stop().catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 304) throw err;
      });
    }
    checkpoint();
    stage = 'renaming the old container';
    opts.step(`Keeping the old container as "${backup}"`);
    await old.rename({ name: backup });
    renamed = true;
    checkpoint();
    stage = 'creating the new container';
    opts.step(`Creating the new "${name}"`);
    created = await docker.createContainer(opts.adjust ? opts.adjust(plan.create) : plan.create);
    for (const n of plan.extraNetworks)
      await docker.getNetwork(n.name).connect({ Container: created.id, EndpointConfig: n.endpoint });
    if (wasRunning) {
      checkpoint();
      stage = 'starting the new container';
      opts.step(`Starting the new "${name}"`);
      await created.start();
      await new Promise((r) => setTimeout(r, opts.settleMs));
      const state = (await created.inspect()).State;
      if (!state.Running || state.Restarting)
        throw new Error(
          `it stopped right after starting (exit code ${state.ExitCode}${state.Error ? `: ${state.Error}` : ''})`,
        );
    }
  } catch (err) {
    const undo = await rollback(old, created, name, backup, renamed, wasRunning);
    throw new ToolError(
      'update_rolled_back',
      `Updating "${name}" failed while ${stage}: ${reasonOf(err)}. ${undo.length ? `Rollback was incomplete: ${undo.join('; ')}.` : `Rolled back: the old container is "${name}" again${wasRunning ? ' and running' : ''}; nothing changed.`}`,
    );
  }
  opts.step(`Removing the old container "${backup}"`);
  const oldRemoved = await old.remove({ force: true, v: false }).then(
    () => true,
    () => false,
  );
  return { id: created.id, oldRemoved };
}

/** Puts the old container back; returns what could not be undone (empty when all went well). */
async function rollback(
  old: Docker.Container,
  created: Docker.Container | null,
  name: string,
  backup: string,
  renamed: boolean,
  wasRunning: boolean,
): Promise<string[]> {
  const problems: string[] = [];
  if (created)
    await created
      .remove({ force: true })
      .catch((err: unknown) => problems.push(`the new container could not be removed (${reasonOf(err)})`));
  if (renamed) {
    const back = await old.rename({ name }).then(
      () => true,
      (err: unknown) => (
        problems.push(`the old container is still named "${backup}" (${reasonOf(err)})`),
        false
      ),
    );
    if (!back) return problems;
  }
  if (wasRunning)
    await old
      .start()
      .catch(
        (err: { statusCode?: number }) =>
          err.statusCode === 304 || problems.push(`the old container did not start again (${reasonOf(err)})`),
      );
  return problems;
}
