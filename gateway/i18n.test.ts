import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { errorHandler } from '../common/http-errors.ts';
import { en } from '../clients/src/i18n/en.ts';
import { negotiateLang } from './i18n.ts';
import { clientRoutes, localize, type ClientAssets } from './routes/clients.ts';

describe('negotiateLang', () => {
  it.each([
    [undefined, undefined, 'en'],
    [undefined, '', 'en'],
    [undefined, 'fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
    [undefined, 'fr-CA', 'fr'],
    [undefined, 'en-US,en;q=0.9', 'en'],
    [undefined, 'de-DE,de;q=0.9', 'en'],
    [undefined, 'de-DE,fr;q=0.5', 'fr'],
    [undefined, 'en;q=0.1,fr;q=0.2', 'fr'],
    ['en', 'fr-FR', 'en'],
    ['fr', 'en-US', 'fr'],
    ['xx', 'fr-FR', 'fr'],
  ])('cookie %s, Accept-Language %s → %s', (cookie, accept, lang) => {
    expect(negotiateLang(cookie, accept)).toBe(lang);
  });
});

describe('the bidder pages by language', () => {
  const template =
    '<html lang="{{lang}}"><title>{{t:page.title.bid}}</title>{{langSwitch}}<button>{{t:bid.signIn}}</button></html>';
  const assets: ClientAssets = {
    assets: new Map(),
    pages: {
      landing: localize(template, '/'),
      floor: 'floor',
      bid: localize(template, '/bid'),
      room: 'room',
    },
    scripts: {},
    serviceWorker: undefined,
  };
  const app = new Hono();
  app.onError(errorHandler(createLogger('i18n-test', 'silent')));
  app.route('/', clientRoutes({ clients: Promise.resolve(assets), hubUrl: 'http://127.0.0.1:1' }));

  it('serves /bid in French to a French browser, in English otherwise, and the cookie wins', async () => {
    const fr = await app.request('/bid', { headers: { 'Accept-Language': 'fr-FR,fr;q=0.9' } });
    const frBody = await fr.text();
    expect(frBody).toContain('<html lang="fr">');
    expect(frBody).toContain('<button>Se connecter</button>');
    expect(frBody).toContain('Gavel — enchérir en ligne');
    expect(fr.headers.get('content-language')).toBe('fr');
    expect(fr.headers.get('vary')).toContain('Accept-Language');
    const plain = await (await app.request('/bid')).text();
    expect(plain).toContain('<html lang="en">');
    expect(plain).toContain('<button>Sign in</button>');
    const chosen = await app.request('/bid', { headers: { 'Accept-Language': 'fr-FR', Cookie: 'lang=en' } });
    expect(await chosen.text()).toContain('<html lang="en">');
  });

  it('marks the current language in the switch, whose links come back to the page', async () => {
    const body = await (await app.request('/bid', { headers: { Cookie: 'lang=fr' } })).text();
    expect(body).toMatch(/<a href="\/lang\/fr\?next=%2Fbid"[^>]*aria-current="true">FR<\/a>/);
    expect(body).toMatch(/<a href="\/lang\/en\?next=%2Fbid"[^>]*>EN<\/a>/);
    expect(body).toContain('aria-label="Langue"');
  });

  it('/lang/fr keeps the choice a year (SameSite=Lax) and goes back to a path of ours only', async () => {
    const res = await app.request('/lang/fr?next=%2Fbid%23lot%3Dx');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/bid#lot=x');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^lang=fr;/);
    expect(cookie).toContain('Max-Age=31536000');
    expect(cookie).toContain('SameSite=Lax');
    const away = await app.request('/lang/en?next=%2F%2Fevil.example');
    expect(away.headers.get('location')).toBe('/');
  });

  it('refuses a language it does not have, naming the choices', async () => {
    const res = await app.request('/lang/de');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('en, fr');
  });
});

describe('the page templates', () => {
  it.each(['bid.html', 'index.html'])(
    '%s names only catalogue keys, and renders none left over',
    async (file) => {
      const template = await readFile(new URL(`../clients/pages/${file}`, import.meta.url), 'utf8');
      const keys = [...template.matchAll(/\{\{t:([\w.]+)\}\}/g)].map((m) => m[1]!);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !(k in en))).toEqual([]);
      for (const page of Object.values(localize(template, '/bid')))
        expect(page).not.toMatch(/\{\{(t:|lang|langSwitch)/);
    },
  );
});
