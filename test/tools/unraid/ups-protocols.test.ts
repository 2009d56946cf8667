import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { readUpsDaemons } from '../../../server/backends/ups/read-ups.js';
import { splitNutLine } from '../../../server/backends/ups/nut-upsd.js';

/**
 * The UPS protocol clients against daemons that misbehave in ways a real upsd or apcupsd can (closing
 * mid-answer, answering another protocol, flooding), on real sockets. Every case must end in a precise
 * note, within the bounds.
 */
let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  servers = [];
});

/** A TCP server that runs `onRequest` with the first bytes each client sends. */
async function daemon(onRequest: (socket: Socket, request: string) => void): Promise<number> {
  const s = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (b: Buffer) => onRequest(socket, b.toString('latin1')));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as AddressInfo).port;
}
async function nowhere(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
const at = (port: number) => ({ host: '127.0.0.1', port });

describe('NUT upsd protocol', () => {
  it('upsd closing in the middle of LIST UPS', async () => {
    const port = await daemon((s) => s.end('BEGIN LIST UPS\nUPS rack "Rack UPS"\n'));
    const { ups, daemons } = await readUpsDaemons(at(await nowhere()), at(port));
    expect(ups).toEqual([]);
    expect(daemons[1]).toEqual({
      daemon: 'nut',
      address: `127.0.0.1:${port}`,
      outcome: 'failed',
      note: 'upsd (NUT) closed the connection mid-answer (in the answer to LIST UPS, after 1 lines).',
    });
  });

  it('upsd closing in the middle of LIST VAR', async () => {
    const port = await daemon((s) => {
      s.write('BEGIN LIST UPS\nUPS rack "Rack UPS"\nEND LIST UPS\n');
      s.once('data', () => s.end('BEGIN LIST VAR rack\nVAR rack battery.charge "87"\n'));
    });
    const { daemons } = await readUpsDaemons(at(await nowhere()), at(port));
    expect(daemons[1]!.note).toBe(
      'upsd (NUT) closed the connection mid-answer (in the answer to LIST VAR rack, after 1 lines).',
    );
  });

  it('something else on the port (an HTTP server): named as not the NUT protocol', async () => {
    const port = await daemon((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const { daemons } = await readUpsDaemons(at(await nowhere()), at(port));
    expect(daemons[1]).toMatchObject({
      outcome: 'failed',
      note: 'upsd answered "HTTP/1.1 400 Bad Request" to LIST UPS; that is not the NUT protocol.',
    });
  });

  it('upsd refusing this client: its reason in words', async () => {
    const port = await daemon((s) => s.end('ERR ACCESS-DENIED\n'));
    const { daemons } = await readUpsDaemons(at(await nowhere()), at(port));
    expect(daemons[1]!.note).toBe(
      "upsd refuses this client (its access rules do not allow this server's address).",
    );
  });

  it('reads quoted values with escapes', () => {
    expect(splitNutLine('VAR rack ups.model "Smart-UPS \\"1500\\" \\\\ RM"')).toEqual([
      'VAR',
      'rack',
      'ups.model',
      'Smart-UPS "1500" \\ RM',
    ]);
  });
});

describe('apcupsd NIS protocol', () => {
  it('a flood of bytes is cut off at the size bound', async () => {
    const port = await daemon((s) => {
      const line = Buffer.from('X'.repeat(1000) + '\n');
      const rec = Buffer.concat([Buffer.from([line.length >> 8, line.length & 0xff]), line]);
      s.end(Buffer.concat(Array.from({ length: 300 }, () => rec)));
    });
    const { daemons } = await readUpsDaemons(at(port), at(await nowhere()));
    expect(daemons[0]).toMatchObject({
      outcome: 'failed',
      note: 'apcupsd sent more than 256 KiB; that is not a status answer.',
    });
  });

  it('a record longer than any status line is refused', async () => {
    const port = await daemon((s) => s.end(Buffer.from([0x40, 0x00, 0x41])));
    const { daemons } = await readUpsDaemons(at(port), at(await nowhere()));
    expect(daemons[0]!.note).toBe(
      'apcupsd answered with a 16384-byte record; that is not an apcupsd status line.',
    );
  });
});
