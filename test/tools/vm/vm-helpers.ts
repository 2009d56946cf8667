import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { TESTDATA } from '../../helpers/start-server.js';

/** libvirt's test driver on the committed node: 7 VMs in every state, fresh for each process. */
export const TEST_NODE_URI = `test://${join(TESTDATA, 'libvirt', 'node.xml')}`;

/** Temporary domains and ISO shares, as the environment variables the sidecar reads. */
export async function vmShareDirs(): Promise<{
  root: string;
  domains: string;
  isos: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'umcp-vm-'));
  const domains = join(root, 'domains');
  const isos = join(root, 'isos');
  await Promise.all([mkdir(domains), mkdir(isos)]);
  return {
    root,
    domains,
    isos,
    env: { UNRAID_MCP_VM_DOMAINS_DIR: domains, UNRAID_MCP_VM_ISO_DIR: isos, UNRAID_MCP_VM_BRIDGE: 'br0' },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export const resultText = (r: CallToolResult): string => (r.content[0] as { text: string }).text;

/** tools/call with a timeout long enough for libvirt, typed as the SDK's result. */
export function caller(client: () => Client) {
  return async (name: string, args: Record<string, unknown>, timeout = 60_000) =>
    (await client().callTool({ name, arguments: args }, undefined, { timeout })) as CallToolResult;
}
