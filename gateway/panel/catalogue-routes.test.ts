import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account, AccountsPort, ResolvedSession } from '../../common/accounts.ts';
import { UserTokens } from '../../common/auth.ts';
import { csrfTokenFor } from '../session/csrf.ts';
import { panelRoutes } from './routes.tsx';

/** The panel's lot images and CSV catalogue, over a fake admin API that records what it was sent. */
const ORIGIN = 'http://gavel.test';
const tokens = new UserTokens({ key: 'panel-test-admin-key-0123456789abcdef0123', audience: 'admin' });
const ada: Account = {
  id: 'acc_ada',
  kind: 'staff',
  email: 'ada@x',
  name: 'Ada',
  roles: ['admin'],
  status: 'active',
};
const accounts = {
  resolve: (secret: string): Promise<ResolvedSession | undefined> =>
    Promise.resolve(
      secret === 'secret-admin'
        ? { ref: 'ses_1', account: ada, expiresAt: '2099-01-01T00:00:00Z' }
        : undefined,
    ),
} as unknown as AccountsPort;
const csrf = csrfTokenFor('secret-admin');

interface Call {
  method: string;
  path: string;
  type: string | undefined;
  text?: string;
  fields?: [string, string][];
}
let calls: Call[] = [];
afterEach(() => {
  calls = [];
});

const sale = { id: 's1', title: 'Prints', status: 'draft', currency: 'EUR', timezone: 'UTC' };
const image = (id: string, position: number) => ({
  id,
  position,
  alt: '',
  thumb: { url: `/media/lots/l1/${id}-thumb.webp`, width: 320, height: 240 },
  originalName: `${id}.png`,
});
const api = new Hono();
api.use('*', async (c, next) => {
  const type = c.req.header('content-type');
  const call: Call = { method: c.req.method, path: c.req.path + new URL(c.req.url).search, type };
  if (type?.startsWith('multipart/form-data') === true) {
    const form = await c.req.formData();
    call.fields = [...form.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : `file:${v.name}`]);
  } else if (c.req.method !== 'GET') call.text = await c.req.text();
  calls.push(call);
  return next();
});
api.get('/admin/v1/sales/s1', (c) => c.json({ sale, lots: [] }));
api.get('/admin/v1/lots/l1/images', (c) => c.json({ images: [image('a', 0), image('b', 1)] }));
api.post('/admin/v1/lots/l1/images', (c) => c.json({ images: [] }, 201));
api.put('/admin/v1/lots/l1/images/order', (c) => c.json({ images: [] }));
api.post('/admin/v1/sales/s1/lots/import', (c) =>
  c.req.query('dryRun') === 'true'
    ? c.json({
        dryRun: true,
        ok: false,
        saleId: 's1',
        errors: [{ row: 3, column: 'opening', message: 'opening must be a decimal like "250.00"' }],
        lots: [{ id: 's1-1', lotNumber: 1, title: 'Wave <1>', opening: '10.00' }],
      })
    : c.json({ dryRun: false, saleId: 's1', created: [] }, 201),
);
api.get('/admin/v1/sales/s1/lots.csv', (c) =>
  c.body('lotNumber,title\n1,Wave\n', 200, { 'Content-Type': 'text/csv' }),
);

const app = new Hono();
app.route(
  '/admin',
  panelRoutes({
    accounts,
    adminTokens: tokens,
    adminApiUrl: 'http://admin.test/admin/v1',
    publicOrigin: ORIGIN,
    fetch: (input, init) =>
      Promise.resolve(api.request(input instanceof Request ? input : String(input), init)),
  }),
);
const headers = { cookie: 'gavel_session=secret-admin', origin: ORIGIN };
/** A multipart post with its length, as a browser sends it. */
const multipart = async (path: string, form: FormData) => {
  const encoded = new Response(form);
  const body = await encoded.arrayBuffer();
  return app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': encoded.headers.get('content-type') ?? '',
      'content-length': String(body.byteLength),
    },
    body,
  });
};
const post = (path: string, form: Record<string, string>) =>
  app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
const png = () => new File([new Uint8Array([137, 80, 78, 71])], 'wave.png', { type: 'image/png' });

describe('the panel’s lot images', () => {
  it('forwards an upload with only its files and alt texts, after the CSRF check', async () => {
    const refused = new FormData();
    refused.append('file', png());
    expect((await multipart('/admin/lots/l1/images', refused)).status).toBe(403);
    expect(calls).toEqual([]);

    const form = new FormData();
    form.append('csrf', csrf);
    form.append('file', png());
    form.append('file', new File([new Uint8Array([1])], 'two.jpg'));
    form.append('alt', 'A wave');
    const res = await multipart('/admin/lots/l1/images', form);
    expect([res.status, res.headers.get('location')]).toEqual([303, '/admin/lots/l1?done=images-added']);
    expect(calls).toEqual([
      {
        method: 'POST',
        path: '/admin/v1/lots/l1/images',
        type: expect.stringMatching(/^multipart\/form-data; boundary=/) as unknown,
        fields: [
          ['file', 'file:wave.png'],
          ['alt', 'A wave'],
          ['file', 'file:two.jpg'],
          ['alt', 'A wave'],
        ],
      },
    ]);
  });

  it('takes multipart only on the upload routes, and not beyond its size', async () => {
    const form = new FormData();
    form.append('csrf', csrf);
    expect((await multipart('/admin/sales/new', form)).status).toBe(415);
    const big = await app.request(`${ORIGIN}/admin/lots/l1/images`, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': String(65 * 1024 * 1024),
      },
      body: '--x--',
    });
    expect(big.status).toBe(413);
    expect(calls).toEqual([]);
  });

  it('moves an image by sending the whole order with two swapped', async () => {
    const res = await post('/admin/lots/l1/images/a/move', { csrf, direction: 'down' });
    expect(res.headers.get('location')).toBe('/admin/lots/l1?done=image-moved');
    expect(calls.at(-1)).toEqual({
      method: 'PUT',
      path: '/admin/v1/lots/l1/images/order',
      type: 'application/json',
      text: '{"order":["b","a"]}',
    });
  });
});

describe('the panel’s CSV catalogue', () => {
  const text = 'lotNumber,title,opening\n1,Wave <1>,10.00\n2,Plum,lots\n';

  it('previews with a dry run naming each row and column, offering no import', async () => {
    const form = new FormData();
    form.append('csrf', csrf);
    form.append('file', new File([text], 'cat.csv', { type: 'text/csv' }));
    form.append('csv', 'ignored: a file was chosen');
    const res = await multipart('/admin/sales/s1/import', form);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/<td>3<\/td><td>opening<\/td><td>opening must be a decimal/);
    expect(html).toContain('Wave &lt;1&gt;');
    expect(html).not.toContain('name="confirm"');
    expect(calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST',
      path: '/admin/v1/sales/s1/lots/import?dryRun=true',
      type: 'text/csv',
      text,
    });
  });

  it('imports the confirmed text for real, and passes lots.csv through as an attachment', async () => {
    const res = await post('/admin/sales/s1/import', { csrf, csv: text, confirm: 'yes' });
    expect(res.headers.get('location')).toBe('/admin/sales/s1?done=imported');
    expect(calls.at(-1)).toMatchObject({ path: '/admin/v1/sales/s1/lots/import', type: 'text/csv' });
    expect(calls.at(-1)?.text).toBe(text);

    const empty = await post('/admin/sales/s1/import', { csrf, csv: '  ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Choose a CSV file or paste its text.');

    const csvRes = await app.request(`${ORIGIN}/admin/sales/s1/lots.csv`, { headers });
    expect(csvRes.headers.get('content-disposition')).toBe('attachment; filename="s1-lots.csv"');
    expect(await csvRes.text()).toBe('lotNumber,title\n1,Wave\n');
  });
});
