export interface Dockerd {
  socket: string;
  dir: string;
  stop(): Promise<void>;
}
export function dockerdBinary(): string | null;
export function startDockerd(opts?: { timeoutMs?: number }): Promise<Dockerd>;
export function importBusyboxImage(socket: string, ref?: string): Promise<string>;
