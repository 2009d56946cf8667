export interface Dockerd {
  socket: string;
  dir: string;
  /** Stops the daemon but keeps its directory, to start it again with startDockerd({ dir }). */
  pause(): Promise<void>;
  stop(): Promise<void>;
}
export function dockerdBinary(): string | null;
export function startDockerd(opts?: { timeoutMs?: number; dir?: string }): Promise<Dockerd>;
export function importBusyboxImage(socket: string, ref?: string): Promise<string>;
