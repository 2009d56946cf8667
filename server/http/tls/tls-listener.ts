import { watch, type FSWatcher } from 'node:fs';
import type { RequestListener } from 'node:http';
import type { Server } from 'node:https';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import { portProblem } from '../port-problem.js';
import { certificateHosts } from './certificate-hosts.js';
import { loadCertificate, type CertificateLoad, type UsableCertificate } from './load-certificate.js';

/** The myunraid.net certificate (Settings → Management Access → Provision), renewed by Unraid. */
export const MYUNRAID_BUNDLE = 'certificate_bundle.pem';
/** The self-signed certificate the WebGUI makes for itself when nginx starts. */
export const selfSignedBundle = (hostName: string) => `${hostName}_unraid_bundle.pem`;

/** One certificate the HTTPS listener serves, as the admin status shows it. */
export interface HttpsCertificate {
  file: string;
  selfSigned: boolean;
  subject: string;
  issuer: string;
  /** Its DNS names (wildcards kept), and the host names it serves this server under (certificate-hosts.ts). */
  names: string[];
  hosts: string[];
  validFrom: string;
  validTo: string;
  serial: string;
}

export interface HttpsState {
  /** HTTPS in unraid-mcp.cfg. */
  enabled: boolean;
  serving: boolean;
  /** The port it listens on, or would. */
  port: number;
  /** Why it does not serve (null when it does). */
  reason: string | null;
  certificates: HttpsCertificate[];
  /** Certificate files present but unusable (one may be while the other serves). */
  problems: Array<{ file: string; problem: string }>;
}

export interface TlsListenerOptions {
  enabled: boolean;
  certsDir: string;
  host: string;
  port: number;
  /** What the owner changes to move it (named when the port is taken). */
  portSetting: string;
  /** This server's name: the self-signed bundle is named after it. */
  hostName: string;
  /** The addresses clients reach the listener on (myunraid.net names are made from them). */
  addresses: () => string[];
  app: RequestListener;
  log: Logger;
  /** Called after every change of state (serving, reason, certificates). */
  onChange?: (state: HttpsState) => void;
  now?: () => Date;
  /** Quiet time after the last change in the folder before it is read (a renewal writes in steps). */
  settleMs?: number;
  /** While the folder does not exist, how often to look for it again. */
  watchRetryMs?: number;
}

/** setTimeout's longest delay; a later validity boundary is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The HTTPS listener, next to the plain one, with the certificates the WebGUI serves. It listens only
 * while at least one of them is usable; the folder is watched (no polling), so a renewed certificate
 * is served to new connections at once (setSecureContext) and a good one appearing turns the listener
 * on. A bad file never stops the process or the plain listener: the state says why, naming the file.
 * With both certificates usable, SNI picks the one whose names match (as nginx does), the myunraid.net
 * one otherwise.
 */
export class TlsListener {
  private server: Server | null = null;
  private serving: UsableCertificate[] = [];
  private current: HttpsState;
  private listenPort: number;
  private watcher: FSWatcher | null = null;
  private settleTimer: NodeJS.Timeout | undefined;
  private validityTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private drained: Promise<void> | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private closed = false;

  constructor(private readonly opts: TlsListenerOptions) {
    this.listenPort = opts.port;
    this.current = {
      enabled: opts.enabled,
      serving: false,
      port: opts.port,
      reason: opts.enabled
        ? 'HTTPS has not started yet'
        : 'HTTPS is switched off (HTTPS in unraid-mcp.cfg, Settings → Unraid MCP → Settings)',
      certificates: [],
      problems: [],
    };
  }

  state(): HttpsState {
    return this.current;
  }

  /** The bundle files looked for, in order of preference. */
  files(): string[] {
    return [MYUNRAID_BUNDLE, selfSignedBundle(this.opts.hostName)];
  }

  /** Watches the folder and serves what it finds; resolves once the first look is done. */
  async start(): Promise<void> {
    if (!this.opts.enabled || this.closed) return;
    this.watch();
    await this.reload();
  }

  /** Reads the certificates again and serves what they allow now (serialised; never throws). */
  reload(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.rerun = false;
        try {
          await this.apply();
        } catch (err) {
          this.opts.log.error('https: could not apply the certificates', { err });
        }
      } while (this.rerun && !this.closed);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** Stops watching and accepting connections (shutdown begins); requests under way go on. */
  stopAccepting(): void {
    this.closed = true;
    for (const t of [this.settleTimer, this.validityTimer, this.retryTimer]) clearTimeout(t);
    this.watcher?.close();
    this.watcher = null;
    const server = this.server;
    if (server && !this.drained) {
      this.drained = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
    }
  }

  /** Stops listening; open connections get `graceMs` to finish their answers, then are ended. */
  async close(graceMs = 1000): Promise<void> {
    this.stopAccepting();
    await this.running;
    this.stopAccepting(); // a listener the last reload opened
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.drained, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    server.closeAllConnections();
  }

  private watch(): void {
    try {
      const watcher = watch(this.opts.certsDir, { persistent: false }, (_event, name) => {
        if (name === null || this.files().includes(String(name))) this.schedule();
      });
      watcher.on('error', () => {
        // The folder went away: look again later, and say now that the certificates are gone.
        watcher.close();
        if (this.watcher === watcher) this.watcher = null;
        this.retryWatch();
        this.schedule();
      });
      this.watcher = watcher;
    } catch {
      this.retryWatch();
    }
  }

  private retryWatch(): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.closed) return;
      this.watch();
      if (this.watcher) void this.reload();
    }, this.opts.watchRetryMs ?? 30_000);
    this.retryTimer.unref();
  }

  private retryListen(): void {
    clearTimeout(this.validityTimer);
    this.validityTimer = setTimeout(() => void this.reload(), this.opts.watchRetryMs ?? 30_000);
    this.validityTimer.unref();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => void this.reload(), this.opts.settleMs ?? 500);
    this.settleTimer.unref();
  }

  private async apply(): Promise<void> {
    if (this.closed) return;
    const now = (this.opts.now ?? (() => new Date()))();
    const loads = await Promise.all(
      this.files().map((f) => loadCertificate(join(this.opts.certsDir, f), now)),
    );
    if (this.closed) return;
    this.scheduleValidityCheck(loads, now);
    const usable = loads.filter((l): l is UsableCertificate => l.state === 'ok');
    const problems = loads.flatMap((l) => (l.state === 'bad' ? [{ file: l.file, problem: l.problem }] : []));
    if (!usable.length) {
      this.stopServing();
      const reason = problems.length
        ? problems.map((p) => p.problem).join('; ')
        : `no certificate in ${this.opts.certsDir}: neither ${MYUNRAID_BUNDLE} (myunraid.net, from Settings → Management Access → Provision) nor ${selfSignedBundle(this.opts.hostName)} (self-signed, made by the WebGUI when it starts) exists`;
      return this.update({ serving: false, reason, certificates: [], problems });
    }
    this.serving = usable;
    const certificates = usable.map((c) => this.describe(c));
    if (this.server) {
      // New connections get the new certificate; open ones keep theirs.
      this.server.setSecureContext((usable[0] as UsableCertificate).pem);
      return this.update({ serving: true, reason: null, certificates, problems });
    }
    const listening = await this.listen(usable[0] as UsableCertificate);
    if (typeof listening === 'string') {
      // The port may come free (the other program stops): try again now and then, not per request.
      this.retryListen();
      return this.update({ serving: false, reason: listening, certificates: [], problems });
    }
    this.server = listening;
    this.update({ serving: true, reason: null, certificates, problems });
  }

  /** A listening server, or why there is none (the port taken, …). */
  private async listen(first: UsableCertificate): Promise<Server | string> {
    // Loaded once there is a certificate to serve (after the plain listener is up), not at start, where
    // node:https and node:tls are about a tenth of the CPU before the plain listener answers.
    const { createServer } = await import('node:https');
    const server = createServer(
      {
        ...first.pem,
        // A handshake must finish quickly; a client that stalls it holds a socket for nothing.
        handshakeTimeout: 10_000,
        SNICallback: (servername, cb) => {
          const match = this.serving.find((c) => c.leaf.checkHost(servername) !== undefined);
          cb(null, (match ?? this.serving[0])?.context);
        },
      },
      this.opts.app,
    );
    // The plain listener's slow-client bounds (main.ts).
    server.requestTimeout = 30_000;
    server.headersTimeout = 20_000;
    const where = { host: this.opts.host, port: this.listenPort };
    return new Promise((resolve) => {
      server.once('error', (err) => {
        resolve(
          portProblem(err, where, this.opts.portSetting) ??
            `cannot listen on port ${where.port} on ${where.host}: ${err.message}`,
        );
      });
      server.listen(where, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.opts.log.error('https listener error', { err }));
        const addr = server.address();
        // Port 0 picks one; the same one is asked for again if the listener has to reopen.
        if (typeof addr === 'object' && addr) this.listenPort = addr.port;
        resolve(server);
      });
    });
  }

  private stopServing(): void {
    this.serving = [];
    const server = this.server;
    this.server = null;
    if (!server) return;
    // Requests under way finish on their connection; no new connection is accepted.
    server.close();
    server.closeIdleConnections();
  }

  /** Re-reads the folder when a certificate expires or a not-yet-valid one becomes valid. */
  private scheduleValidityCheck(loads: CertificateLoad[], now: Date): void {
    clearTimeout(this.validityTimer);
    const moments = loads.flatMap((l) =>
      l.state === 'ok' ? [l.validTo] : l.state === 'bad' && l.recheckAt ? [l.recheckAt] : [],
    );
    const waits = moments.map((m) => m.getTime() - now.getTime()).filter((ms) => ms >= 0);
    if (!waits.length) return;
    // One second past the boundary: validity is checked to the second.
    this.validityTimer = setTimeout(
      () => void this.reload(),
      Math.min(Math.min(...waits) + 1000, MAX_TIMER_MS),
    );
    this.validityTimer.unref();
  }

  private describe(c: UsableCertificate): HttpsCertificate {
    const cn = (dn: string) => /^CN=(.+)$/m.exec(dn)?.[1] ?? dn.replace(/\n/g, ', ');
    return {
      file: c.file,
      selfSigned: c.selfSigned,
      subject: cn(c.leaf.subject),
      issuer: cn(c.leaf.issuer),
      names: c.names,
      hosts: certificateHosts(c.names, this.opts.addresses(), this.opts.hostName),
      validFrom: c.validFrom.toISOString(),
      validTo: c.validTo.toISOString(),
      serial: c.leaf.serialNumber,
    };
  }

  private update(next: Omit<HttpsState, 'enabled' | 'port'>): void {
    const before = this.current;
    this.current = { enabled: this.opts.enabled, port: this.listenPort, ...next };
    if (before.serving !== next.serving || before.reason !== next.reason) {
      if (next.serving)
        this.opts.log.info('https listening', {
          port: this.listenPort,
          certificates: next.certificates.map((c) => c.file),
        });
      else this.opts.log.warn('https is off', { reason: next.reason });
    } else if (next.serving) {
      this.opts.log.info('https certificates reloaded', {
        certificates: next.certificates.map((c) => `${c.file} (serial ${c.serial})`),
      });
    }
    this.opts.onChange?.(this.current);
  }
}
