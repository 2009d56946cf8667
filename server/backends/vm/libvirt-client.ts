import type { Domain, DomainInfo, Hypervisor, NodeInfo } from '@unraid/libvirt';
import { isConnectionLost, toVmError } from './vm-errors.js';
import { runVirsh, type VirshOptions } from './virsh.js';

/** The libvirt calls the VM tools make, one method per binding call, so every call is counted. */
export interface LibvirtOps {
  listAll(flags: number): Promise<Domain[]>;
  lookupByName(name: string): Promise<Domain>;
  lookupByUuid(uuid: string): Promise<Domain>;
  name(d: Domain): Promise<string>;
  uuid(d: Domain): Promise<string>;
  info(d: Domain): Promise<DomainInfo>;
  xml(d: Domain, flags?: number): Promise<string>;
  start(d: Domain): Promise<void>;
  shutdown(d: Domain): Promise<void>;
  destroy(d: Domain): Promise<void>;
  suspend(d: Domain): Promise<void>;
  resume(d: Domain): Promise<void>;
  undefine(d: Domain): Promise<void>;
  define(xml: string): Promise<Domain>;
  nodeInfo(): Promise<NodeInfo>;
}

export interface LibvirtClientOptions {
  uri: string;
  /** Called once per libvirt call with its name (a bounded set), for the calls-per-request metric. */
  onCall?: (op: string) => void;
  /** Opens a connection; the binding's by default (tests pass a stand-in to break connections at will). */
  open?: (uri: string) => Promise<Hypervisor>;
}

async function openWithBinding(uri: string): Promise<Hypervisor> {
  const { Hypervisor } = await import('@unraid/libvirt');
  const h = new Hypervisor({ uri });
  await h.connectOpen();
  return h;
}

/**
 * One connection to libvirt through `@unraid/libvirt`, opened on first use (the native binding costs
 * memory an idle sidecar on a server without VMs should not pay) and re-opened by itself after
 * libvirtd restarts: a call that finds the connection gone drops it, so the next call reconnects.
 * Calls that only read are retried once on a fresh connection, so the first read after a libvirtd
 * restart just works; calls that change something are not, because libvirt may have acted before the
 * connection broke — the caller gets "the VM service is not running" and decides.
 */
export class LibvirtClient {
  readonly uri: string;
  private readonly onCall: (op: string) => void;
  private readonly open: (uri: string) => Promise<Hypervisor>;
  private connection: Promise<Hypervisor> | null = null;

  constructor(options: LibvirtClientOptions) {
    this.uri = options.uri;
    this.onCall = options.onCall ?? (() => {});
    this.open = options.open ?? openWithBinding;
  }

  /** Runs `work` with the libvirt calls; failures come out as ToolErrors that say what `what` was. */
  async call<T>(
    what: string,
    work: (lv: LibvirtOps) => Promise<T>,
    { retry = false }: { retry?: boolean } = {},
  ): Promise<T> {
    const attempt = async (): Promise<T> => {
      const connection = this.connect();
      try {
        return await work(this.ops(await connection));
      } catch (err) {
        throw this.dropIfLost(err, connection) ? new ConnectionLost(err) : err;
      }
    };
    const unwrap = (e: unknown) => (e instanceof ConnectionLost ? e.reason : e);
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConnectionLost && retry)) throw toVmError(unwrap(err), what);
      try {
        return await attempt();
      } catch (again) {
        throw toVmError(unwrap(again), what);
      }
    }
  }

  /** Runs virsh on the same URI, for what the binding lacks (snapshots, reboot, autostart). */
  virsh(args: ReadonlyArray<string>, what: string, options: VirshOptions): Promise<string> {
    this.onCall(`virsh ${args[0] ?? ''}`);
    return runVirsh(this.uri, args, what, options);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    if (connection) await connection.then((h) => h.connectClose()).catch(() => {});
  }

  private connect(): Promise<Hypervisor> {
    this.connection ??= (async () => {
      this.onCall('connectOpen');
      return this.open(this.uri);
    })().catch((err: unknown) => {
      this.connection = null;
      throw err;
    });
    return this.connection;
  }

  /**
   * True when `err` says the connection is gone; then that connection is forgotten — only if it is
   * still the current one, so a call failing late on a dead connection never drops the fresh one
   * another call has just opened.
   */
  private dropIfLost(err: unknown, connection: Promise<Hypervisor>): boolean {
    const message = err instanceof Error ? err.message : String(err);
    if (!isConnectionLost(message)) return false;
    if (this.connection === connection) this.connection = null;
    // Closing a dead connection frees its native resources; its own failure means nothing.
    void connection.then((h) => h.connectClose()).catch(() => {});
    return true;
  }

  private ops(h: Hypervisor): LibvirtOps {
    const counted = <T>(op: string, call: () => Promise<T>): Promise<T> => {
      this.onCall(op);
      return call();
    };
    return {
      listAll: (flags) => counted('connectListAllDomains', () => h.connectListAllDomains(flags)),
      lookupByName: (name) => counted('domainLookupByName', () => h.domainLookupByName(name)),
      lookupByUuid: (uuid) => counted('domainLookupByUUIDString', () => h.domainLookupByUUIDString(uuid)),
      name: (d) => counted('domainGetName', () => d.getName()),
      uuid: (d) => counted('domainGetUUIDString', () => d.getUUIDString()),
      info: (d) => counted('domainGetInfo', () => d.getInfo()),
      xml: (d, flags) => counted('domainGetXMLDesc', () => d.getXMLDesc(flags)),
      start: (d) => counted('domainCreate', () => d.create()),
      shutdown: (d) => counted('domainShutdown', () => d.shutdown()),
      destroy: (d) => counted('domainDestroy', () => d.destroy()),
      suspend: (d) => counted('domainSuspend', () => d.suspend()),
      resume: (d) => counted('domainResume', () => d.resume()),
      undefine: (d) => counted('domainUndefine', () => d.undefine()),
      define: (xml) => counted('domainDefineXML', () => h.domainDefineXML(xml)),
      nodeInfo: () => counted('nodeGetInfo', () => h.nodeGetInfo()),
    };
  }
}

/** Marks a failure caused by a lost connection, so `call` knows a retry on a new one may succeed. */
class ConnectionLost extends Error {
  constructor(readonly reason: unknown) {
    super('libvirt connection lost');
  }
}
