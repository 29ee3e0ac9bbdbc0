import { connect, type Socket } from 'node:net';

/** Pipelined HTTP/1.1 between Gavel's own services (engine → hub publishes, gateway → engine bids). */

/** Where requests go: a socket address, and the Host header's authority. */
export interface HttpTarget {
  host: string;
  port: number;
  authority: string;
}

/** An http:// URL as a target (an IPv6 literal is bracketed in a URL, not in a socket address). */
export function httpTarget(url: URL): HttpTarget {
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 80 : Number(url.port),
    authority: url.host,
  };
}

/** No answer for this long with requests in flight: the connection is dropped and they fail (and are retried). */
const RESPONSE_TIMEOUT_MS = 10_000;

/** Every request in flight on a connection that failed: none of them was answered. */
export class PipelineError extends Error {
  /** The peer stayed silent past the response timeout (rather than closing or erroring). */
  readonly timedOut: boolean;
  constructor(message: string, opts: { cause?: unknown; timedOut?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.timedOut = opts.timedOut ?? false;
  }
}

export interface Answer {
  status: number;
  body: string;
}

interface Waiting {
  resolve: (a: Answer) => void;
  reject: (err: Error) => void;
}

/**
 * One HTTP/1.1 connection with pipelined requests: written in submission order (the requests of one
 * tick in one write), answered in the same order. Any failure fails every request in flight and the
 * connection is not used again (the caller opens a new one and retries what is safe to retry:
 * publishes carry their ids, which the hub applies once; bids carry their Idempotency-Keys).
 */
export class PipelinedConnection {
  broken = false;
  private readonly socket: Socket;
  private readonly inFlight: Waiting[] = [];
  private outbox: Buffer[] = [];
  private flushing = false;
  private readonly parser = new ResponseParser();

  private readonly peer: string;

  /** `peer` names the other side in errors ("the hub", "the bidding engine"). */
  constructor(target: HttpTarget, peer: string) {
    this.peer = peer;
    this.socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.socket.setKeepAlive(true, 30_000);
    this.socket.setTimeout(RESPONSE_TIMEOUT_MS);
    this.socket.on('timeout', () => {
      if (this.inFlight.length > 0)
        this.destroy(new PipelineError(`${this.peer} did not answer in time`, { timedOut: true }));
    });
    this.socket.on('data', (chunk: Buffer) => {
      let answers: Answer[];
      try {
        answers = this.parser.push(chunk, this.peer);
      } catch (err) {
        this.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      for (const a of answers) this.inFlight.shift()?.resolve(a);
      // Idle, the connection does not keep the process alive (as Node's keep-alive agent does).
      if (this.inFlight.length === 0) this.socket.unref();
      if (this.parser.closeAfter) this.destroy(new Error(`${this.peer} closed the connection`));
    });
    this.socket.on('error', (err) => this.destroy(err));
    this.socket.on('close', () => this.destroy(new Error(`${this.peer} closed the connection`)));
  }

  send(request: Buffer): Promise<Answer> {
    if (this.broken) return Promise.reject(new PipelineError(`the connection to ${this.peer} is closed`));
    return new Promise<Answer>((resolve, reject) => {
      if (this.inFlight.length === 0) this.socket.ref();
      this.inFlight.push({ resolve, reject });
      this.outbox.push(request);
      if (!this.flushing) {
        this.flushing = true;
        // After the current microtasks: every request started in this tick goes in the same write.
        process.nextTick(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushing = false;
    const out = this.outbox;
    this.outbox = [];
    if (this.broken || out.length === 0) return;
    this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  destroy(cause: Error): void {
    if (!this.broken) {
      this.broken = true;
      this.socket.destroy();
    }
    const err = cause instanceof PipelineError ? cause : new PipelineError(cause.message, { cause });
    for (const w of this.inFlight.splice(0)) w.reject(err);
    this.outbox = [];
  }
}

/**
 * The answers of an HTTP/1.1 response stream (status, body as UTF-8): Content-Length or chunked
 * bodies. `closeAfter` is set once a response said `Connection: close`.
 */
export class ResponseParser {
  closeAfter = false;
  private buf: Buffer = Buffer.alloc(0);
  private peer = 'the server';

  push(chunk: Buffer, peer = 'the server'): Answer[] {
    this.peer = peer;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Answer[] = [];
    for (;;) {
      const a = this.next();
      if (a === undefined) break;
      out.push(a);
      if (this.closeAfter) break;
    }
    return out;
  }

  /** One complete response from the front of the buffer, consumed; undefined until one is complete. */
  private next(): Answer | undefined {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const lines = this.buf.toString('latin1', 0, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (m === null) throw new Error(`unreadable response from ${this.peer}: ${JSON.stringify(lines[0])}`);
    let length: number | undefined;
    let chunked = false;
    let close = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.split(',').some((v) => v.trim() === 'chunked');
      else if (name === 'connection') close = value.split(',').some((v) => v.trim() === 'close');
    }
    const start = end + 4;
    const status = Number(m[1]);
    let body: Buffer;
    let consumed: number;
    if (chunked) {
      const parts: Buffer[] = [];
      let at = start;
      for (;;) {
        const lineEnd = this.buf.indexOf('\r\n', at);
        if (lineEnd < 0) return undefined;
        const size = parseInt(this.buf.toString('latin1', at, lineEnd).split(';')[0]!, 16);
        if (!Number.isFinite(size)) throw new Error('unreadable chunk size from ${this.peer}');
        if (size === 0) {
          // No trailers are sent by Gavel's services: the last chunk is followed by one empty line.
          if (this.buf.length < lineEnd + 4) return undefined;
          consumed = lineEnd + 4;
          break;
        }
        if (this.buf.length < lineEnd + 2 + size + 2) return undefined;
        parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else if (length === undefined && (status < 200 || status === 204 || status === 304)) {
      body = Buffer.alloc(0);
      consumed = start;
    } else if (length !== undefined) {
      if (!Number.isSafeInteger(length) || length < 0)
        throw new Error('unreadable Content-Length from ${this.peer}');
      if (this.buf.length < start + length) return undefined;
      body = this.buf.subarray(start, start + length);
      consumed = start + length;
    } else {
      throw new Error('a hub response without Content-Length or chunked body cannot be pipelined');
    }
    const text = body.toString('utf8');
    this.buf = this.buf.subarray(consumed);
    if (close) this.closeAfter = true;
    return { status, body: text };
  }
}
