// PLACEHOLDER — replaced by the host backend implementation.
export interface HostRoots {
  procRoot: string;
  sysRoot: string;
  emhttpRoot: string;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HostReader {}
export function createHostReader(_roots: HostRoots): HostReader {
  return {};
}
