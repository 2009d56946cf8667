import { describe, expect, it } from 'vitest';
import { clientConfigs, TOKEN_PLACEHOLDER } from '../../webui/models/client-configs.js';

const URL_ = 'http://tower.local:8765/mcp';
const byId = (secret: string) => Object.fromEntries(clientConfigs(URL_, secret).map((c) => [c.id, c.text]));

describe('Connect view configurations', () => {
  it('Claude Code: one shell command with the bearer header', () => {
    expect(byId('umcp_abc')['claude-code']).toBe(
      'claude mcp add --transport http unraid "http://tower.local:8765/mcp" --header "Authorization: Bearer umcp_abc"',
    );
  });

  it('Claude Desktop: mcp-remote with --allow-http and the header from an environment variable', () => {
    const cfg = JSON.parse(byId('umcp_abc')['claude-desktop']!);
    expect(cfg).toEqual({
      mcpServers: {
        unraid: {
          command: 'npx',
          args: ['mcp-remote', URL_, '--allow-http', '--header', 'Authorization:${UNRAID_AUTH}'],
          env: { UNRAID_AUTH: 'Bearer umcp_abc' },
        },
      },
    });
    const https = JSON.parse(clientConfigs('https://tower.example.net/mcp', 't')[1]!.text);
    expect(https.mcpServers.unraid.args).not.toContain('--allow-http');
  });

  it('Cursor and VS Code: url and headers; VS Code under "servers" with type http', () => {
    expect(JSON.parse(byId('s')['cursor']!)).toEqual({
      mcpServers: { unraid: { url: URL_, headers: { Authorization: 'Bearer s' } } },
    });
    expect(JSON.parse(byId('s')['vscode']!)).toEqual({
      servers: { unraid: { type: 'http', url: URL_, headers: { Authorization: 'Bearer s' } } },
    });
    expect(byId('s')['generic']).toContain('Header: Authorization: Bearer s');
  });

  it('without a token the placeholder stands in; shell metacharacters are escaped', () => {
    expect(byId('  ')['cursor']).toContain(`Bearer ${TOKEN_PLACEHOLDER}`);
    expect(clientConfigs('http://h/mcp', 'a"$b`')[0]!.text).toContain('"Authorization: Bearer a\\"\\$b\\`"');
  });
});
