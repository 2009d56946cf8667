import type { HostReader } from '../../../server/backends/host/host-reader.js';
import { createLogger, silentLogger, type Logger } from '../../../server/log.js';
import type { ToolContext } from '../../../server/tools/context.js';
import { LibvirtClient } from '../../../server/backends/vm/libvirt-client.js';
import { DEFAULT_VM_SHARES } from '../../../server/config/vm-shares.js';

/** The system tools read no host paths; these lead nowhere. */
const TEST_LAYOUT = {
  dockerTemplatesDir: '/nonexistent',
  updateContainerScript: '/nonexistent',
  bindAllowlist: [],
  vmShares: DEFAULT_VM_SHARES,
};

/** A tool context around a host reader, as the MCP wrapper would build it (minus policy and audit). */
export function toolContext(host: HostReader, log: Logger = silentLogger): ToolContext {
  const docker = () => Promise.reject(new Error('the system tools never use Docker'));
  // The system tools use neither backend; a test-driver client is inert until called.
  return {
    deps: {
      host,
      docker,
      libvirt: new LibvirtClient({ uri: 'test:///default' }),
      log,
      layout: TEST_LAYOUT,
      recreate: { settleMs: 0 },
      now: () => new Date(),
    },
    signal: new AbortController().signal,
    progress: async () => {},
    target: null,
    responseCapBytes: 40 * 1024,
    visible: () => true,
    protectedBy: () => null,
  };
}

/** A debug-level logger that keeps every line, for asserting what was (not) logged. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger('debug', (line) => lines.push(line)), lines };
}
