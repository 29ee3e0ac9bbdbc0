import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.ts';
import { RemoteBiddingService } from './remote.ts';
import type { BidRequest } from '../core/types.ts';

/**
 * The gateway's client of a separate engine process, against a real TCP server on loopback that
 * plays the engine's part: pipelined requests answered in order, a kept-alive connection the engine
 * closes under a request (retried once on a new connection: every engine call is idempotent), and
 * an engine that keeps failing (503 ENGINE_UNAVAILABLE, retry with the same key).
 */
const bid = (key: string): BidRequest => ({
  auctionId: 'lot-1',
  bidderId: 'alice',
  amount: 10_000,
  idempotencyKey: key,
  source: 'api',
});

interface Seen {
  head: string;
  body: string;
  connection: number;
}

/** A minimal HTTP/1.1 engine: `onRequest` answers each parsed request (or returns null to drop the connection). */
async function fakeEngine(
  onRequest: (r: Seen) => string | null,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = createServer((socket: Socket) => {
    const connection = ++connections;
    let buf = '';
    socket.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? '0');
        if (buf.length < end + 4 + length) return;
        const body = buf.slice(end + 4, end + 4 + length);
        buf = buf.slice(end + 4 + length);
        const r = { head, body, connection };
        seen.push(r);
        const answer = onRequest(r);
        if (answer === null) {
          socket.destroy();
          return;
        }
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(answer)}\r\n\r\n${answer}`,
        );
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

describe('RemoteBiddingService (pipelined HTTP/1.1 to the engine process)', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });
  const client = (url: string): RemoteBiddingService => {
    const r = new RemoteBiddingService(url, 'service-token-0123456789');
    closers.push(() => r.close());
    return r;
  };

  it('sends the calls of one tick on one connection and matches the answers in order', async () => {
    const engine = await fakeEngine((r) => {
      const req = JSON.parse(r.body) as BidRequest;
      return JSON.stringify({ seq: Number(req.idempotencyKey.slice(1)), outcome: 'accepted' });
    });
    closers.push(() => engine.server.close());
    const remote = client(engine.url);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => remote.placeBid(bid(`k${i}`))));
    expect(answers.map((a) => a.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(engine.seen).toHaveLength(50);
    expect(new Set(engine.seen.map((s) => s.connection))).toEqual(new Set([1]));
    expect(engine.seen[0]!.head).toMatch(/^POST \/internal\/v1\/bids HTTP\/1\.1\r\n/);
    expect(engine.seen[0]!.head).toContain('Authorization: Bearer service-token-0123456789');
    expect(engine.seen[0]!.head).toMatch(/Host: 127\.0\.0\.1:\d+/);
  });

  it('retries once on a new connection when the engine closes a kept-alive one under a request', async () => {
    const engine = await fakeEngine((r) =>
      r.connection === 1 && r.body.includes('"second"') ? null : JSON.stringify({ seq: r.connection }),
    );
    closers.push(() => engine.server.close());
    const remote = client(engine.url);
    expect((await remote.placeBid(bid('first'))).seq).toBe(1);
    // The engine drops the connection on the second request: the same request again, on connection 2.
    expect((await remote.placeBid(bid('second'))).seq).toBe(2);
    expect(engine.seen.map((s) => (JSON.parse(s.body) as BidRequest).idempotencyKey)).toEqual([
      'first',
      'second',
      'second',
    ]);
  });

  it('answers 503 ENGINE_UNAVAILABLE (retry with the same key) when the engine keeps failing or is down', async () => {
    const engine = await fakeEngine(() => null);
    closers.push(() => engine.server.close());
    const err = await client(engine.url)
      .placeBid(bid('k'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 503, code: 'ENGINE_UNAVAILABLE' });
    expect((err as Error).message).toContain('Idempotency-Key');
    expect(engine.seen).toHaveLength(2);

    engine.server.close();
    await once(engine.server, 'close');
    const down = await client(engine.url)
      .placeBid(bid('k'))
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ status: 503, code: 'ENGINE_UNAVAILABLE' });
  });

  it('refuses a BIDDING_URL it cannot use', () => {
    expect(() => new RemoteBiddingService('https://engine:3002', 't')).toThrow(/http:\/\//);
    expect(() => new RemoteBiddingService('http://engine:3002/api', 't')).toThrow(/without a path/);
    expect(() => new RemoteBiddingService('http://engine:3002', 'token\r\nX-Evil: 1')).toThrow(/printable/);
  });
});
