/** Ready-to-paste client configurations for the Connect view. Pure: the URL and token in, text out. */

export interface ClientConfigText {
  id: string;
  title: string;
  /** Where the text goes. */
  where: string;
  text: string;
}

/** Shown in place of the secret until a token is chosen. */
export const TOKEN_PLACEHOLDER = 'umcp_…';

/** The name clients list the server under. */
const SERVER_NAME = 'unraid';

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** Double quotes for a POSIX shell argument ($, `, \ and " escaped). */
function shellQuote(s: string): string {
  return `"${s.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

export function clientConfigs(url: string, secret: string): ClientConfigText[] {
  const token = secret.trim() || TOKEN_PLACEHOLDER;
  const bearer = `Bearer ${token}`;
  const remoteArgs = ['mcp-remote', url, ...(url.startsWith('http://') ? ['--allow-http'] : [])];
  return [
    {
      id: 'claude-code',
      title: 'Claude Code',
      where: 'Run in a terminal',
      text: `claude mcp add --transport http ${SERVER_NAME} ${shellQuote(url)} --header ${shellQuote(`Authorization: ${bearer}`)}`,
    },
    {
      id: 'claude-desktop',
      title: 'Claude Desktop',
      where:
        'claude_desktop_config.json (through the mcp-remote bridge: the config file reaches a server on your network, http or https, only this way; needs Node.js)',
      text: json({
        mcpServers: {
          [SERVER_NAME]: {
            command: 'npx',
            args: [...remoteArgs, '--header', 'Authorization:${UNRAID_AUTH}'],
            env: { UNRAID_AUTH: bearer },
          },
        },
      }),
    },
    {
      id: 'cursor',
      title: 'Cursor',
      where: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
      text: json({ mcpServers: { [SERVER_NAME]: { url, headers: { Authorization: bearer } } } }),
    },
    {
      id: 'vscode',
      title: 'VS Code',
      where: '.vscode/mcp.json',
      text: json({ servers: { [SERVER_NAME]: { type: 'http', url, headers: { Authorization: bearer } } } }),
    },
    {
      id: 'generic',
      title: 'Any other client',
      where: 'Streamable HTTP with a bearer token',
      text: `URL: ${url}\nTransport: Streamable HTTP\nHeader: Authorization: ${bearer}`,
    },
  ];
}
