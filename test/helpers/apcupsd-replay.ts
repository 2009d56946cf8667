import { createServer, type Server, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';

/**
 * How the next connections are answered: with a capture of a real apcupsd's answer (byte for byte),
 * with only its first `bytes` and then a closed connection, or never (a daemon that accepts and hangs).
 */
export type ReplayMode =
  { kind: 'capture'; file: string } | { kind: 'cut'; file: string; bytes: number } | { kind: 'silent' };

export interface ApcupsdReplay {
  port: number;
  mode: ReplayMode;
  /** Every request received, as raw bytes (the 2-byte length and the command). */
  requests: Buffer[];
  close(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1 speaking apcupsd's network information server protocol from captures
 * (testdata/unraid/ups/*.nis): it waits for a complete length-prefixed request, and answers `status`
 * with the capture's bytes unchanged. Anything else is answered with the zero-length end record, as
 * apcupsd does for a command it does not know.
 */
export async function startApcupsdReplay(mode: ReplayMode): Promise<ApcupsdReplay> {
  const sockets = new Set<Socket>();
  const replay: ApcupsdReplay = { port: 0, mode, requests: [], close: async () => {} };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const request = buf.subarray(0, 2 + buf.readUInt16BE(0));
      buf = buf.subarray(request.length);
      replay.requests.push(Buffer.from(request));
      void answer(socket, request.subarray(2).toString('ascii'));
    });
  });
  const answer = async (socket: Socket, command: string) => {
    const m = replay.mode;
    if (m.kind === 'silent') return;
    if (command !== 'status') return void socket.end(Buffer.alloc(2));
    const bytes = await readFile(m.file);
    if (m.kind === 'cut') socket.end(bytes.subarray(0, m.bytes));
    else socket.end(bytes);
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  replay.port = (server.address() as AddressInfo).port;
  replay.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return replay;
}
