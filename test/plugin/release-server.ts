import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { PackageBuild } from './package-build.js';

/**
 * The release page a .plg downloads from, on 127.0.0.1: `<base>/download/<version>/<package>` for each
 * published build and `<base>/latest/download/unraid-mcp.plg` for the newest one, as GitHub serves
 * release assets. A package can be made to go missing (404) or arrive corrupted.
 */
export class ReleaseServer {
  private files = new Map<string, Buffer>();
  private latest: Buffer | null = null;
  private broken = new Map<string, 'missing' | 'corrupt'>();
  private constructor(
    private readonly server: Server,
    readonly base: string,
  ) {}

  static async start(): Promise<ReleaseServer> {
    let self: ReleaseServer | null = null;
    const server = createServer((req, res) => {
      const body = self?.answer(req.url ?? '/');
      if (!body) return void res.writeHead(404).end('Not Found');
      res
        .writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length })
        .end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new ReleaseServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases`);
    return self;
  }

  /** Publishes a build's package and .plg; `latest` makes its .plg the one pluginURL serves. */
  async publish(build: PackageBuild, { latest = true } = {}): Promise<void> {
    this.files.set(`/releases/download/${build.version}/${build.package}`, await readFile(build.txzPath));
    const plg = await readFile(build.plgPath);
    this.files.set(`/releases/download/${build.version}/unraid-mcp.plg`, plg);
    if (latest) this.latest = plg;
  }

  /** Makes a published package go missing or arrive with one byte changed; null repairs it. */
  breakPackage(build: PackageBuild, how: 'missing' | 'corrupt' | null): void {
    const path = `/releases/download/${build.version}/${build.package}`;
    if (how) this.broken.set(path, how);
    else this.broken.delete(path);
  }

  private answer(url: string): Buffer | null {
    const path = url.split('?')[0]!;
    if (path === '/releases/latest/download/unraid-mcp.plg') return this.latest;
    const body = this.files.get(path) ?? null;
    const broken = this.broken.get(path);
    if (!body || broken === 'missing') return null;
    if (broken === 'corrupt') {
      const copy = Buffer.from(body);
      const middle = copy.length >> 1;
      copy[middle] = (copy[middle] ?? 0) ^ 0xff;
      return copy;
    }
    return body;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
