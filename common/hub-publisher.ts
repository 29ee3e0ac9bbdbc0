import { Agent, request } from 'node:http';

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

/** Publishes with a Mercure publisher JWT over keep-alive HTTP/1.1. */
export class HttpHubPublisher implements HubPublisher {
  private readonly url: string;
  private readonly token: () => Promise<string> | string;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });

  constructor(hubUrl: string, token: () => Promise<string> | string) {
    // Fail at start-up, not at the first publish, when the hub URL is missing or malformed.
    this.url = new URL(hubUrl).toString();
    this.token = token;
  }

  async publish(update: HubUpdate): Promise<string> {
    const body = new URLSearchParams();
    for (const t of update.topics) body.append('topic', t);
    body.set('data', update.data);
    if (update.private === true) body.set('private', 'on');
    if (update.id !== undefined) body.set('id', update.id);
    if (update.type !== undefined) body.set('type', update.type);
    const token = await this.token();
    const payload = body.toString();
    return new Promise<string>((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/x-www-form-urlencoded',
            'Content-Length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            if (res.statusCode === 200) resolve(text);
            else
              reject(
                new HubPublishError(
                  res.statusCode ?? 0,
                  `hub refused the update (${res.statusCode}): ${text}`,
                ),
              );
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
