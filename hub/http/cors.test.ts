import { describe, expect, it } from 'vitest';
import { corsHeaders, originAllowed, preflightHeaders, requestOrigin } from './cors.ts';

const APP = 'https://app.example';

describe('hub CORS', () => {
  it('answers a listed origin with itself and credentials', () => {
    expect(corsHeaders(APP, [APP])).toMatchObject({
      'Access-Control-Allow-Origin': APP,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
  });

  it('answers "*" with a literal * and no credentials, so no cookie is sent', () => {
    const h = corsHeaders('https://any.example', ['*']);
    expect(h['Access-Control-Allow-Origin']).toBe('*');
    expect(h['Access-Control-Allow-Credentials']).toBeUndefined();
  });

  it('answers nothing to an unlisted origin, a request without one, or an empty list', () => {
    expect(corsHeaders('https://evil.example', [APP])).toEqual({});
    expect(corsHeaders(undefined, [APP])).toEqual({});
    expect(corsHeaders(APP, [])).toEqual({});
    expect(preflightHeaders('https://evil.example', [APP])).toEqual({});
  });

  it('adds the methods and headers to a preflight', () => {
    expect(preflightHeaders(APP, [APP])).toMatchObject({
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID, Cache-Control',
    });
  });

  it('reads the origin of a request from Origin, else from Referer', () => {
    expect(requestOrigin(APP, undefined)).toBe(APP);
    expect(requestOrigin('null', `${APP}/page?x=1`)).toBe(APP);
    expect(requestOrigin(undefined, 'not a url')).toBeUndefined();
    expect(requestOrigin(undefined, undefined)).toBeUndefined();
    expect(originAllowed(APP, [APP])).toBe(true);
    expect(originAllowed('https://evil.example', [APP])).toBe(false);
    expect(originAllowed('https://evil.example', ['*'])).toBe(true);
  });
});
