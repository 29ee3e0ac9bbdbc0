import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import {
  PUBLISHER_KEY,
  publisherToken,
  startTestHub,
  SUBSCRIBER_KEY,
  subscriberToken,
  subscribeUrl,
} from '../../test/support/hub.ts';
import { exited } from '../../test/support/hub-redis.ts';
import { trackChild } from '../../test/support/registry.ts';
import { openRaw, uniqueTopic, type RawStream } from '../../test/support/protocol.ts';
import { hubConfigFromEnv } from '../service/config.ts';
import { startHub, type RunningHub } from '../service/server.ts';

/**
 * `MERCURE_CORS_ORIGINS=*` used to reflect any Origin with `Access-Control-Allow-Credentials:
 * true`, and the origins allowed to publish with the cookie defaulted to the CORS list: a foreign
 * site could read a bidder's cookie-authenticated private stream and publish with the cookie.
 */
const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.com';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const keys = {
  MERCURE_PUBLISHER_JWT_KEY: PUBLISHER_KEY,
  MERCURE_SUBSCRIBER_JWT_KEY: SUBSCRIBER_KEY,
};
const fromEnv = (env: Record<string, string>): Promise<RunningHub> =>
  startHub(
    hubConfigFromEnv({
      HOST: '127.0.0.1',
      PORT: '0',
      MERCURE_METRICS_PORT: '0',
      MERCURE_ANONYMOUS: 'true',
      ...keys,
      ...env,
    }),
    createLogger('hub', 'silent'),
  );

/** A publish as a page on `origin` would send it: with the hub's cookie, or with a bearer token. */
async function publishFrom(
  hub: RunningHub,
  origin: string,
  topic: string,
  credential: 'cookie' | 'bearer',
): Promise<Response> {
  const token = await publisherToken([topic]);
  return fetch(`${hub.url}/.well-known/mercure`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: origin,
      ...(credential === 'cookie'
        ? { Cookie: `mercureAuthorization=${token}` }
        : { Authorization: `Bearer ${token}` }),
    },
    body: new URLSearchParams({ topic, data: `${credential} publish` }),
  });
}

describe('CORS with MERCURE_CORS_ORIGINS=*', { timeout: 10_000 }, () => {
  let hub: RunningHub;
  const open: RawStream[] = [];
  beforeAll(async () => {
    hub = await fromEnv({ MERCURE_CORS_ORIGINS: '*' });
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('answers a literal "*" without credentials, so no foreign site can read a cookie-authenticated stream', async () => {
    const topic = uniqueTopic('bidders');
    const cookie = `mercureAuthorization=${await subscriberToken([topic])}`;
    const stream = await openRaw(subscribeUrl(hub.url, [topic]), { Origin: EVIL, Cookie: cookie });
    open.push(stream);
    expect(stream.status).toBe(200);
    expect(stream.headers['access-control-allow-origin']).toBe('*');
    expect(stream.headers['access-control-allow-credentials']).toBeUndefined();

    const preflight = await fetch(`${hub.url}/.well-known/mercure`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('does not let any origin publish with the cookie: a wildcard is never the default publish list', async () => {
    const topic = uniqueTopic();
    const res = await publishFrom(hub, EVIL, topic, 'cookie');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ORIGIN_NOT_ALLOWED');
    // The same token as a bearer header (no ambient credential) still publishes.
    const bearer = await publishFrom(hub, EVIL, topic, 'bearer');
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('CORS with listed origins and a wildcard', { timeout: 10_000 }, () => {
  it('reflects a listed origin with credentials and answers "*" without them to any other', async () => {
    const hub = await fromEnv({ MERCURE_CORS_ORIGINS: `${APP},*` });
    const open: RawStream[] = [];
    try {
      const url = subscribeUrl(hub.url, [uniqueTopic()]);
      const app = await openRaw(url, { Origin: APP });
      open.push(app);
      expect(app.headers['access-control-allow-origin']).toBe(APP);
      expect(app.headers['access-control-allow-credentials']).toBe('true');
      const other = await openRaw(url, { Origin: EVIL });
      open.push(other);
      expect(other.headers['access-control-allow-origin']).toBe('*');
      expect(other.headers['access-control-allow-credentials']).toBeUndefined();
      // The listed origin may publish with the cookie (publish origins default to the listed ones).
      const topic = uniqueTopic();
      const res = await publishFrom(hub, APP, topic, 'cookie');
      expect(res.status).toBe(200);
    } finally {
      for (const s of open) s.close();
      await hub.close();
    }
  });
});

describe(
  'start-up refuses a wildcard among the cookie-publish origins while JWT keys are set',
  { timeout: 20_000 },
  () => {
    it('as a configuration error naming the variables', () => {
      const refuse = (env: Record<string, string>): void => {
        expect(() => hubConfigFromEnv({ ...env, MERCURE_PUBLISH_ORIGINS: '*' })).toThrow(ConfigError);
        expect(() => hubConfigFromEnv({ ...env, MERCURE_PUBLISH_ORIGINS: '*' })).toThrow(
          /MERCURE_PUBLISH_ORIGINS.*MERCURE_PUBLISHER_JWT_KEY/s,
        );
      };
      refuse({ MERCURE_PUBLISHER_JWT_KEY: PUBLISHER_KEY });
      refuse({ MERCURE_SUBSCRIBER_JWT_KEY: SUBSCRIBER_KEY });
      refuse({ ...keys, MERCURE_CORS_ORIGINS: '*' });
      // Without keys nothing is verified, so nothing can be published with a cookie either.
      expect(hubConfigFromEnv({ MERCURE_PUBLISH_ORIGINS: '*' }).publishOrigins).toEqual(['*']);
      // A wildcard CORS list alone is fine, and gives no default publish origin.
      expect(hubConfigFromEnv({ ...keys, MERCURE_CORS_ORIGINS: '*' }).publishOrigins).toEqual([]);
    });

    it('also for a hub built from code (as the embedded gateway builds it)', async () => {
      await expect(startTestHub({ publishOrigins: ['*'], publisherKey: PUBLISHER_KEY })).rejects.toThrow(
        /MERCURE_PUBLISH_ORIGINS/,
      );
    });

    it('npm run hub exits with status 2 and the message', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'hub/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOST: '127.0.0.1',
          PORT: '0',
          MERCURE_METRICS_PORT: '0',
          ...keys,
          MERCURE_CORS_ORIGINS: '*',
          MERCURE_PUBLISH_ORIGINS: '*',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      trackChild('hub/main.ts', child);
      let output = '';
      child.stdout.on('data', (b: Buffer) => (output += b.toString()));
      child.stderr.on('data', (b: Buffer) => (output += b.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const { code } = await exited(child);
      clearTimeout(timer);
      expect(code).toBe(2);
      expect(output).toMatch(/MERCURE_PUBLISH_ORIGINS: "\*" would let any web site publish/);
    });
  },
);
