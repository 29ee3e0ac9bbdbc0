import { connect, type Socket } from 'node:net';

/** An update to push through the hub (Mercure publish fields). */
export interface HubUpdate {
  topics: string[];
  data: string;
  private?: boolean;
  id?: string;
  type?: string;
}

/** Anything that can publish to the hub: over HTTP (distributed), or in-process (embedded default). */
export interface HubPublisher {
  /** Resolves with the update's id once the hub has accepted it. */
  publish(update: HubUpdate): Promise<string>;
}

export class HubPublishError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = new.target.name;
    this.status = status;
  }
}

/** No answer for this long with requests in flight: the connection is dropped and they fail (and are retried). */
const RESPONSE_TIMEOUT_MS = 10_000;

/**
 * Publishes with a Mercure publisher JWT over keep-alive HTTP/1.1 with pipelining: the publishes
 * made in one tick leave in one write on one connection, and the answers come back in order on it.
 * Each request is still one standard Mercure publish (one update); only the round trips are shared,
 * which is most of what a publish costs on loopback (at a burst of bids, dozens of private notices
 * are in flight at once). Public updates and private ones use separate connections, so a public
 * update never waits behind a queue of private notices. As over separate connections, updates
 * published concurrently may be applied in any order: publish one at a time where order matters.
 */
export class HttpHubPublisher implements HubPublisher {
  private readonly target: { protocol: string; host: string; port: number; authority: string; path: string };
  private readonly token: () => Promise<string> | string;
  private readonly lanes: {
    public: PipelinedConnection | undefined;
    private: PipelinedConnection | undefined;
  } = { public: undefined, private: undefined };

  constructor(hubUrl: string, token: () => Promise<string> | string) {
    // Fail at start-up, not at the first publish, when the hub URL is missing or malformed.
    const url = new URL(hubUrl);
    this.target = {
      protocol: url.protocol,
      // An IPv6 literal is bracketed in a URL, not in a socket address.
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? 80 : Number(url.port),
      authority: url.host,
      path: `${url.pathname}${url.search}`,
    };
    this.token = token;
  }

  async publish(update: HubUpdate): Promise<string> {
    if (this.target.protocol !== 'http:')
      throw new TypeError(`the hub publish URL must be http:// (got ${this.target.protocol})`);
    const body = new URLSearchParams();
    for (const t of update.topics) body.append('topic', t);
    body.set('data', update.data);
    if (update.private === true) body.set('private', 'on');
    if (update.id !== undefined) body.set('id', update.id);
    if (update.type !== undefined) body.set('type', update.type);
    const token = await this.token();
    if (/[^\x21-\x7e]/.test(token)) throw new TypeError('the publisher token is not a printable ASCII JWT');
    const payload = Buffer.from(body.toString(), 'utf8');
    const head =
      `POST ${this.target.path} HTTP/1.1\r\nHost: ${this.target.authority}\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: ${payload.length}\r\n\r\n`;
    const lane = update.private === true ? 'private' : 'public';
    let conn = this.lanes[lane];
    if (conn === undefined || conn.broken) {
      conn = new PipelinedConnection(this.target.host, this.target.port);
      this.lanes[lane] = conn;
    }
    const res = await conn.send(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
    if (res.status === 200) return res.body;
    throw new HubPublishError(res.status, `hub refused the update (${res.status}): ${res.body}`);
  }

  /** Closes the open connections (a later publish opens a new one, as with Node's keep-alive agent). */
  close(): void {
    for (const c of [this.lanes.public, this.lanes.private])
      c?.destroy(new Error('the hub publisher is closed'));
  }
}

interface Answer {
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
 * connection is not used again (the caller opens a new one; publishes are retried with their ids,
 * which the hub applies once).
 */
class PipelinedConnection {
  broken = false;
  private readonly socket: Socket;
  private readonly inFlight: Waiting[] = [];
  private outbox: Buffer[] = [];
  private flushing = false;
  private readonly parser = new ResponseParser();

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.setKeepAlive(true, 30_000);
    this.socket.setTimeout(RESPONSE_TIMEOUT_MS);
    this.socket.on('timeout', () => {
      if (this.inFlight.length > 0) this.destroy(new Error('the hub did not answer in time'));
    });
    this.socket.on('data', (chunk: Buffer) => {
      let answers: Answer[];
      try {
        answers = this.parser.push(chunk);
      } catch (err) {
        this.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      for (const a of answers) this.inFlight.shift()?.resolve(a);
      // Idle, the connection does not keep the process alive (as Node's keep-alive agent does).
      if (this.inFlight.length === 0) this.socket.unref();
      if (this.parser.closeAfter) this.destroy(new Error('the hub closed the connection'));
    });
    this.socket.on('error', (err) => this.destroy(err));
    this.socket.on('close', () => this.destroy(new Error('the hub closed the connection')));
  }

  send(request: Buffer): Promise<Answer> {
    if (this.broken) return Promise.reject(new Error('the connection to the hub is closed'));
    return new Promise<Answer>((resolve, reject) => {
      if (this.inFlight.length === 0) this.socket.ref();
      this.inFlight.push({ resolve, reject });
      this.outbox.push(request);
      if (!this.flushing) {
        this.flushing = true;
        // After the current microtasks: every publish started in this tick goes in the same write.
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

  destroy(err: Error): void {
    if (!this.broken) {
      this.broken = true;
      this.socket.destroy();
    }
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

  push(chunk: Buffer): Answer[] {
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
    if (m === null) throw new Error(`unreadable response from the hub: ${JSON.stringify(lines[0])}`);
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
        if (!Number.isFinite(size)) throw new Error('unreadable chunk size from the hub');
        if (size === 0) {
          // No trailers are sent by the hub: the last chunk is followed by one empty line.
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
        throw new Error('unreadable Content-Length from the hub');
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
