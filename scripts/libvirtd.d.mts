export interface LibvirtdControl {
  /** qemu:///system?socket=<dir>/libvirt-sock */
  uri: string;
  dir: string;
  /** SIGKILLs libvirtd only (a crash: guests and virtlogd keep running); resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts libvirtd again on the same directory and socket; a no-op while it runs. */
  start(): Promise<void>;
}
export interface Libvirtd extends LibvirtdControl {
  /** Stops the virtlogd it started and libvirtd, and removes the directory. Guests are left as they are. */
  stop(): Promise<void>;
}
export const QEMU_CONF_PATH: string;
export const QEMU_CONF: string;
export function libvirtdBinary(): string | null;
export function libvirtUri(dir: string): string;
export function ensureQemuConf(): void;
export function launchLibvirtd(dir: string, opts?: { timeoutMs?: number }): Promise<void>;
export function killLibvirtd(dir: string): Promise<void>;
export function stopLibvirtdDaemons(dir: string): Promise<void>;
export function attachLibvirtd(dir: string): LibvirtdControl;
export function startLibvirtd(opts?: { timeoutMs?: number; dir?: string }): Promise<Libvirtd>;
