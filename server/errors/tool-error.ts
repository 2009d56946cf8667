/**
 * Base class for errors whose message is written for the model: plain language, what went wrong and
 * what to do next, never a socket path or stack trace. Anything that is not a ToolError reaches the
 * client only as a generic message (see to-tool-result.ts).
 */
export class ToolError extends Error {
  /** Stable machine-readable code, also used as a metrics label (bounded set). */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}
