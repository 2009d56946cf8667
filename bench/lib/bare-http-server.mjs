// The ceiling for bench/mcp-calls.mjs: a bare node:http server that answers every POST with a fixed
// buffer of PAYLOAD_BYTES (the size of a real system_overview response), after reading the body.
// Prints "bare-http ready on port N" on stdout.
import { createServer } from 'node:http';

const size = Number(process.argv[2]);
if (!Number.isInteger(size) || size < 1) {
  process.stderr.write('usage: node bare-http-server.mjs PAYLOAD_BYTES\n');
  process.exit(2);
}
const payload = Buffer.alloc(size, 'x');

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-length': size });
    res.end(payload);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`bare-http ready on port ${server.address().port}\n`),
);
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
