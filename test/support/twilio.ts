import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { track } from './registry.ts';

/** A number the stand-in refuses for good, as Twilio does an invalid one (400, code 21211). */
export const REFUSED_NUMBER = '+447700900499';

export interface FakeTwilio {
  /** The API origin, for `notify.twilio.apiUrl`. */
  url: string;
  /** What it was sent, in order: the request path and its form. */
  calls: { path: string; form: URLSearchParams }[];
  /** Calls still to answer 503 (a provider outage) before it takes messages again. */
  failNext: number;
  close(): Promise<void>;
}

const read = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * A local stand-in for Twilio's Messages API (a real HTTP server on loopback): takes every message
 * (201 with a `sid`) but to REFUSED_NUMBER (400), and answers 503 while `failNext` is above zero.
 */
export async function startFakeTwilio(): Promise<FakeTwilio> {
  const fake: FakeTwilio = { url: '', calls: [], failNext: 0, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      const form = new URLSearchParams(body);
      fake.calls.push({ path: req.url ?? '', form });
      res.setHeader('Content-Type', 'application/json');
      if (fake.failNext > 0) {
        fake.failNext--;
        res.writeHead(503).end(JSON.stringify({ code: 20503, message: 'Service unavailable' }));
      } else if (form.get('To')?.endsWith(REFUSED_NUMBER) === true)
        res.writeHead(400).end(JSON.stringify({ code: 21211, message: "The 'To' number is not valid." }));
      else res.writeHead(201).end(JSON.stringify({ sid: `SM${fake.calls.length}`, status: 'queued' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = track('fake Twilio', () => new Promise<void>((resolve) => server.close(() => resolve())));
  return fake;
}
