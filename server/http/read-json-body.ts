import type { IncomingMessage } from 'node:http';

export type BodyResult =
  { ok: true; body: unknown } | { ok: false; status: number; reason: string; message: string; code?: number };

/**
 * Reads a JSON request body with a hard size limit. The content type is checked before a byte is
 * read, and a body over the limit is refused as soon as it is known to be (Content-Length, or while
 * streaming) without buffering the rest. Such refusals are answered before the body was read to its
 * end, so their answer closes the connection (`sendJson` in mcp/send-error.ts).
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const type = (req.headers['content-type'] ?? '').split(';');
  const charset = /charset=([^;]+)/i
    .exec(req.headers['content-type'] ?? '')?.[1]
    ?.trim()
    .toLowerCase();
  if (
    type[0]?.trim().toLowerCase() !== 'application/json' ||
    (charset && charset !== 'utf-8' && charset !== 'utf8')
  ) {
    return Promise.resolve({
      ok: false,
      status: 415,
      reason: 'content_type',
      message: 'Unsupported Media Type: Content-Type must be application/json (UTF-8)',
    });
  }
  const tooLarge = {
    ok: false as const,
    status: 413,
    reason: 'body_too_large',
    message: `Request body too large (limit ${Math.round(limit / 1024)} KB).`,
  };
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Discard the rest while the refusal goes out; the answer says Connection: close
        // (send-error.ts: the body was not read to its end), so the connection ends after it.
        req.off('data', onData);
        req.resume();
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', () =>
      resolve({
        ok: false,
        status: 400,
        reason: 'body_error',
        message: 'The request body could not be read.',
      }),
    );
    req.once('end', () => {
      try {
        resolve({ ok: true, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      } catch {
        resolve({
          ok: false,
          status: 400,
          reason: 'parse_error',
          message: 'Parse error: the body is not valid JSON.',
          code: -32700,
        });
      }
    });
  });
}
