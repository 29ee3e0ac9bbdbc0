import { httpTarget, PipelinedConnection, type HttpTarget } from './pipelined-http.ts';

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
  private readonly target: HttpTarget & { protocol: string; path: string };
  private readonly token: () => Promise<string> | string;
  private readonly lanes: {
    public: PipelinedConnection | undefined;
    private: PipelinedConnection | undefined;
  } = { public: undefined, private: undefined };

  constructor(hubUrl: string, token: () => Promise<string> | string) {
    // Fail at start-up, not at the first publish, when the hub URL is missing or malformed.
    const url = new URL(hubUrl);
    this.target = { ...httpTarget(url), protocol: url.protocol, path: `${url.pathname}${url.search}` };
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
      conn = new PipelinedConnection(this.target, 'the hub');
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
