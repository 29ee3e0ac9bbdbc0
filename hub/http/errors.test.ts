import { describe, expect, it } from 'vitest';
import { captureLogs } from '../../test/support/protocol.ts';
import { AuthError } from '../core/auth.ts';
import { HubRefusal } from '../core/refusal.ts';
import { errorResponse } from './errors.ts';

const cors = { 'Access-Control-Allow-Origin': 'https://a.example', Vary: 'Origin' };

describe('errorResponse', () => {
  it('answers a refusal as itself: its status, the JSON error body and the CORS headers, nothing logged', () => {
    const logs = captureLogs();
    const e = errorResponse(new HubRefusal('MISSING_TOPIC', 'no topic'), { cors, logger: logs.logger });
    expect(e.status).toBe(400);
    expect(JSON.parse(e.body)).toEqual({ error: { code: 'MISSING_TOPIC', message: 'no topic' } });
    expect(e.headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...cors,
    });
    expect(logs.take()).toEqual([]);
  });

  it('adds a Bearer challenge to a 401, quotes in the reason made harmless', () => {
    const logs = captureLogs();
    const e = errorResponse(new HubRefusal('TOKEN_MISSING', 'send a "Bearer" token'), {
      cors: {},
      logger: logs.logger,
    });
    expect(e.headers['WWW-Authenticate']).toBe(
      `Bearer realm="mercure", error="invalid_token", error_description="send a 'Bearer' token"`,
    );
    const forbidden = errorResponse(new HubRefusal('CLAIM_MISSING', 'no claim'), {
      cors: {},
      logger: logs.logger,
    });
    expect(forbidden.headers['WWW-Authenticate']).toBeUndefined();
  });

  it("answers a token check's AuthError as the refusal it stands for", () => {
    const e = errorResponse(new AuthError('TOKEN_EXPIRED', 'the JWT has expired'), {
      cors,
      logger: captureLogs().logger,
    });
    expect(e.status).toBe(401);
    expect(JSON.parse(e.body)).toEqual({ error: { code: 'TOKEN_EXPIRED', message: 'the JWT has expired' } });
    expect(e.headers['Access-Control-Allow-Origin']).toBe('https://a.example');
  });

  it('answers any other error 503 HUB_UNAVAILABLE without CORS headers, and logs it once', () => {
    const logs = captureLogs();
    const e = errorResponse(new Error('Connection is closed.'), { cors, logger: logs.logger });
    expect(e.status).toBe(503);
    expect(JSON.parse(e.body)).toEqual({
      error: { code: 'HUB_UNAVAILABLE', message: 'the hub could not complete the request; retry shortly' },
    });
    expect(e.headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(e.body).not.toContain('Connection is closed');
    expect(logs.take()).toEqual([expect.objectContaining({ level: 50, msg: 'hub request failed' })]);
  });

  it('says what failed and what the hub could not do when told', () => {
    const logs = captureLogs();
    const e = errorResponse('boom', {
      cors: {},
      logger: logs.logger,
      what: 'subscribe',
      couldNot: 'read its history',
    });
    expect(JSON.parse(e.body)).toEqual({
      error: { code: 'HUB_UNAVAILABLE', message: 'the hub could not read its history; retry shortly' },
    });
    expect(logs.take()).toEqual([expect.objectContaining({ msg: 'subscribe failed' })]);
  });
});
