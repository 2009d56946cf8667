import { connect, type Socket } from 'node:net';

/**
 * Why a daemon gave no answer: nothing listens (not installed or not running — an ordinary state, not a
 * fault), or it was reached but the conversation failed (closed mid-answer, too slow, answered nonsense).
 */
export class DaemonConversationError extends Error {
  constructor(
    readonly kind: 'not_running' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

export interface ConversationLimits {
  /** Time to get a connection. */
  connectMs: number;
  /** Time for the whole conversation, connecting included. */
  totalMs: number;
  /** Most bytes accepted from the daemon. */
  maxBytes: number;
}

/**
 * One short TCP conversation with a local daemon, read as lines or length-prefixed records. Everything is
 * bounded: the connection, the whole exchange and the bytes received; when a bound is hit, or the daemon
 * closes early, the pending read fails with a message naming the daemon (`who`) and what happened.
 */
export class TcpConversation {
  private buffered = Buffer.alloc(0);
  private received = 0;
  private ended = false;
  private failure: DaemonConversationError | null = null;
  private wake: (() => void) | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly who: string,
    private readonly limits: ConversationLimits,
  ) {}

  static open(
    host: string,
    port: number,
    who: string,
    limits: ConversationLimits,
    signal?: AbortSignal,
  ): Promise<TcpConversation> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const conv = new TcpConversation(socket, who, limits);
      let connected = false;
      const total = setTimeout(
        () =>
          conv.fail(
            new DaemonConversationError(
              'failed',
              `${who} accepted the connection but did not finish answering within ${limits.totalMs / 1000} s.`,
            ),
          ),
        limits.totalMs,
      );
      const connectTimer = setTimeout(() => {
        if (connected) return;
        socket.destroy();
        reject(
          new DaemonConversationError(
            'failed',
            `${who} did not accept a connection within ${limits.connectMs / 1000} s (something holds the port without answering).`,
          ),
        );
      }, limits.connectMs);
      const onAbort = () => conv.fail(new DaemonConversationError('failed', 'The call was cancelled.'));
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('close', () => {
        clearTimeout(total);
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
      });
      socket.once('connect', () => {
        connected = true;
        clearTimeout(connectTimer);
        resolve(conv);
      });
      socket.on('data', (chunk: Buffer) => {
        conv.received += chunk.length;
        if (conv.received > limits.maxBytes)
          return conv.fail(
            new DaemonConversationError(
              'failed',
              `${who} sent more than ${limits.maxBytes / 1024} KiB; that is not a status answer.`,
            ),
          );
        conv.buffered = Buffer.concat([conv.buffered, chunk]);
        conv.poke();
      });
      socket.on('end', () => {
        conv.ended = true;
        conv.poke();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (!connected) {
          clearTimeout(connectTimer);
          const nobody = err.code === 'ECONNREFUSED' || err.code === 'EADDRNOTAVAIL';
          reject(
            new DaemonConversationError(
              nobody ? 'not_running' : 'failed',
              nobody
                ? `nothing is listening (${who} is not installed or not running)`
                : `${who} could not be reached (${err.code ?? err.message}).`,
            ),
          );
          return;
        }
        conv.fail(
          new DaemonConversationError(
            'failed',
            `The connection to ${who} failed (${err.code ?? err.message}).`,
          ),
        );
      });
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  /** The next line without its end (\n or \r\n); `context` says in the error what was being read. */
  async readLine(context: string, maxLine = 4096): Promise<string> {
    for (;;) {
      const nl = this.buffered.indexOf(0x0a);
      if (nl !== -1) {
        const line = this.buffered.subarray(0, nl).toString('utf8').replace(/\r$/, '');
        this.buffered = this.buffered.subarray(nl + 1);
        return line;
      }
      if (this.buffered.length > maxLine)
        throw this.fail(
          new DaemonConversationError('failed', `${this.who} sent a line longer than ${maxLine} bytes.`),
        );
      await this.more(context);
    }
  }

  /** Exactly `n` bytes. */
  async readBytes(n: number, context: string): Promise<Buffer> {
    while (this.buffered.length < n) await this.more(context);
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  private more(context: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended)
      return Promise.reject(
        this.fail(
          new DaemonConversationError('failed', `${this.who} closed the connection mid-answer (${context}).`),
        ),
      );
    return new Promise((resolve, reject) => {
      this.wake = () => (this.failure ? reject(this.failure) : resolve());
    });
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private fail(err: DaemonConversationError): DaemonConversationError {
    if (!this.failure) this.failure = err;
    this.socket.destroy();
    this.poke();
    return this.failure;
  }
}
