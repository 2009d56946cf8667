import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * A minimal Docker Registry (HTTP API v2, schema 2 manifests) on 127.0.0.1, so pulls can be tested for
 * real without the internet: dockerd treats 127.0.0.0/8 as an insecure registry and falls back to
 * plain HTTP. Blobs can be served slowly (bytesPerTick/tickMs) to get many progress events and to
 * cancel mid-download.
 */
export interface Layer {
  gz: Buffer;
  diffId: string;
}

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A gzipped layer tar holding `files` (path → content); with `busybox: true`, a runnable busybox root. */
export function makeLayer(files: Record<string, string>, busybox = false): Layer {
  const root = mkdtempSync(join(tmpdir(), 'umcp-layer-'));
  try {
    if (busybox) {
      const bin = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
      if (!bin) throw new Error('busybox is not installed');
      mkdirSync(join(root, 'bin'));
      mkdirSync(join(root, 'etc'));
      copyFileSync(bin, join(root, 'bin/busybox'));
      for (const a of ['sh', 'sleep', 'cat', 'echo', 'true']) symlinkSync('busybox', join(root, 'bin', a));
      writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    }
    for (const [p, content] of Object.entries(files)) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), content);
    }
    const tar = execFileSync(
      'tar',
      ['-C', root, '--owner=0', '--group=0', '--sort=name', '--mtime=@0', '-cf', '-', '.'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return { gz: gzipSync(tar), diffId: sha(tar) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export interface LocalRegistry {
  /** `127.0.0.1:PORT`, the registry part of references. */
  host: string;
  /** Publishes `repo:tag` (replacing what the tag pointed at). */
  push(repo: string, tag: string, image: { layers: Layer[]; env?: string[]; cmd?: string[] }): string;
  /** Blob downloads that the client broke off before the end. */
  abortedBlobs(): number;
  requests: string[];
  close(): Promise<void>;
}

export async function startLocalRegistry(
  opts: { bytesPerTick?: number; tickMs?: number } = {},
): Promise<LocalRegistry> {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { body: Buffer; digest: string }>();
  const requests: string[] = [];
  let aborted = 0;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;

  const sendBlob = (res: ServerResponse, data: Buffer) => {
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': data.length,
      'Docker-Content-Digest': sha(data),
    });
    if (!opts.bytesPerTick) return res.end(data);
    let at = 0;
    const step = opts.bytesPerTick;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(data.subarray(at, at + step));
      at += step;
      if (at >= data.length) {
        clearInterval(timer);
        res.end();
      }
    }, opts.tickMs ?? 20);
    res.on('close', () => {
      clearInterval(timer);
      if (!res.writableFinished) aborted++;
    });
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(`${req.method} ${url}`);
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (url === '/v2/' || url === '/v2') return res.end('{}');
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url);
    const notFound = (code: string) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace('_', ' ') }] }));
    };
    if (!m) return notFound('NAME_UNKNOWN');
    const [, repo, kind, ref] = m as unknown as [string, string, string, string];
    if (kind === 'manifests') {
      const found = manifests.get(`${repo}:${ref}`) ?? [...manifests.values()].find((x) => x.digest === ref);
      if (!found) return notFound('MANIFEST_UNKNOWN');
      res.writeHead(200, {
        'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json',
        'Content-Length': found.body.length,
        'Docker-Content-Digest': found.digest,
      });
      return res.end(req.method === 'HEAD' ? undefined : found.body);
    }
    const blob = blobs.get(ref);
    if (!blob) return notFound('BLOB_UNKNOWN');
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'Content-Length': blob.length, 'Docker-Content-Digest': ref });
      return res.end();
    }
    sendBlob(res, blob);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    host: `127.0.0.1:${port}`,
    requests,
    abortedBlobs: () => aborted,
    push(repo, tag, image) {
      const config = Buffer.from(
        JSON.stringify({
          architecture: arch,
          os: 'linux',
          config: { Env: image.env ?? ['PATH=/bin'], Cmd: image.cmd ?? ['/bin/sh'] },
          rootfs: { type: 'layers', diff_ids: image.layers.map((l) => l.diffId) },
          history: image.layers.map(() => ({
            created: '2026-01-01T00:00:00Z',
            created_by: 'unraid-mcp test registry',
          })),
        }),
      );
      blobs.set(sha(config), config);
      for (const l of image.layers) blobs.set(sha(l.gz), l.gz);
      const body = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: {
            mediaType: 'application/vnd.docker.container.image.v1+json',
            size: config.length,
            digest: sha(config),
          },
          layers: image.layers.map((l) => ({
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            size: l.gz.length,
            digest: sha(l.gz),
          })),
        }),
      );
      const digest = sha(body);
      manifests.set(`${repo}:${tag}`, { body, digest });
      return digest;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
