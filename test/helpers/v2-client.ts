import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { TestServer } from './start-server.js';

/** How the SDK v2 client picks the protocol era: plain 2025 initialize, probe then fall back, or 2026-07-28 only. */
export type EraMode = 'legacy' | 'auto' | { pin: '2026-07-28' };
export const ERA_MODES: ReadonlyArray<EraMode> = ['legacy', 'auto', { pin: '2026-07-28' }];
export const modeName = (mode: EraMode) => (typeof mode === 'string' ? mode : `pin ${mode.pin}`);

export interface V2Options {
  mode: EraMode;
  token?: string;
  capabilities?: ConstructorParameters<typeof Client>[1] extends infer O
    ? O extends { capabilities?: infer C }
      ? C
      : never
    : never;
}

/** An SDK v2 client connected to the test sidecar; closed by the caller. */
export async function connectV2(srv: TestServer, opts: V2Options): Promise<Client> {
  const client = new Client(
    { name: 'vitest-v2', version: '2.0.0' },
    {
      versionNegotiation: { mode: opts.mode },
      ...(opts.capabilities ? { capabilities: opts.capabilities } : {}),
    },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(srv.url), {
      requestInit: { headers: { Authorization: `Bearer ${srv.secrets[opts.token ?? 'test']}` } },
    }),
  );
  return client;
}
