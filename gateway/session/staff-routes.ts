/**
 * Staff administration at the gateway: /admin/staff (page and forms) and /v1/staff (JSON), for a
 * signed-in admin (cookie from PUBLIC_ORIGIN, the session's CSRF token on every change). The back
 * office checks the role again, applies the change and audits it with the admin as actor.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Account, StaffRole } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import { problemPage } from './account-pages.ts';
import { csrfTokenFor } from './csrf.ts';
import type { CurrentSession, SessionKit } from './kit.ts';
import { staffPage } from './staff-page.ts';

const roles = z.array(z.string().max(40), { error: 'roles must be a list' }).max(10);
const inviteBody = z.strictObject({
  email: z.string({ error: 'email is required' }).max(254),
  name: z.string({ error: 'name is required' }).max(200),
  roles,
});
const rolesBody = z.strictObject({ roles });
const statusBody = z.strictObject({
  status: z.enum(['active', 'disabled'], { error: 'status must be active or disabled' }),
});

const isAdmin = (s: CurrentSession): boolean =>
  s.session.account.kind === 'staff' && s.session.account.roles.includes('admin');

function requireAdmin(s: CurrentSession): void {
  if (!isAdmin(s)) throw new AppError('FORBIDDEN', 'only an admin manages staff');
}

export function staffRoutes(kit: SessionKit): Hono {
  const app = new Hono();
  const { port } = kit;

  /** A JSON change: cookie, origin, CSRF header, admin. */
  const admin = async (c: Context): Promise<CurrentSession> => {
    const s = await kit.signedIn(c, c.req.header('x-csrf-token'));
    requireAdmin(s);
    c.header('Cache-Control', 'no-store');
    return s;
  };

  app.get('/v1/staff', async (c) => {
    const s = await kit.current(c);
    if (s === undefined) throw new AppError('UNAUTHENTICATED', 'no session: sign in at /sign-in');
    requireAdmin(s);
    c.header('Cache-Control', 'no-store');
    return c.json({ staff: await (await port()).listStaff(s.session.account.id) });
  });
  app.post('/v1/staff/invitations', async (c) => {
    const s = await admin(c);
    const b = inviteBody.parse(await readJson(c));
    const account = await (
      await port()
    ).inviteStaff(s.session.account.id, { ...b, roles: b.roles as StaffRole[] }, kit.publicOrigin);
    return c.json(account, 201);
  });
  app.post('/v1/staff/:id/roles', async (c) => {
    const s = await admin(c);
    const b = rolesBody.parse(await readJson(c));
    return c.json(
      await (await port()).setStaffRoles(s.session.account.id, c.req.param('id'), b.roles as StaffRole[]),
    );
  });
  app.post('/v1/staff/:id/status', async (c) => {
    const s = await admin(c);
    const b = statusBody.parse(await readJson(c));
    return c.json(await (await port()).setStaffStatus(s.session.account.id, c.req.param('id'), b.status));
  });
  app.post('/v1/staff/sessions/:ref/revoke', async (c) => {
    const s = await admin(c);
    await (await port()).revokeStaffSession(s.session.account.id, c.req.param('ref'));
    return c.body(null, 204);
  });

  // --- the page and its forms ---
  const render = async (c: Context, s: CurrentSession, opts: { notice?: string; error?: AppError }) => {
    kit.pageHeaders(c);
    const staff = await (await port()).listStaff(s.session.account.id);
    return c.html(
      staffPage({
        staff,
        me: s.session.account.id,
        csrf: csrfTokenFor(s.secret),
        notice: opts.notice,
        error: opts.error?.message,
      }),
      (opts.error?.status ?? 200) as 200,
    );
  };
  app.get('/admin/staff', async (c) => {
    kit.pageHeaders(c);
    const s = await kit.current(c);
    if (s === undefined) return c.redirect('/sign-in', 303);
    if (!isAdmin(s)) return c.html(problemPage('Staff', 'Only an admin manages staff.', '/account'), 403);
    return render(c, s, { notice: c.req.query('notice') });
  });
  /** A form post: admin, CSRF field; on a refusal a person can act on, the page again with the message. */
  const formAction =
    (act: (s: CurrentSession, form: URLSearchParams, c: Context) => Promise<string>) =>
    async (c: Context) => {
      const form = await kit.readForm(c);
      const s = await kit.signedIn(c, form.get('csrf') ?? undefined);
      requireAdmin(s);
      try {
        const notice = await act(s, form, c);
        return c.redirect(`/admin/staff?notice=${notice}`, 303);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500 || err.code === 'CSRF_FAILED') throw err;
        return render(c, s, { error: err });
      }
    };
  const actor = (s: CurrentSession): string => s.session.account.id;
  app.post(
    '/admin/staff/invite',
    formAction(async (s, form) => {
      await (
        await port()
      ).inviteStaff(
        actor(s),
        {
          email: form.get('email') ?? '',
          name: form.get('name') ?? '',
          roles: form.getAll('roles') as StaffRole[],
        },
        kit.publicOrigin,
      );
      return 'invited';
    }),
  );
  app.post(
    '/admin/staff/:id/roles',
    formAction(async (s, form, c) => {
      await (
        await port()
      ).setStaffRoles(actor(s), c.req.param('id') ?? '', form.getAll('roles') as StaffRole[]);
      return 'roles';
    }),
  );
  app.post(
    '/admin/staff/:id/status',
    formAction(async (s, form, c) => {
      const status = form.get('status') as Account['status'];
      await (await port()).setStaffStatus(actor(s), c.req.param('id') ?? '', status);
      return status === 'disabled' ? 'disabled' : 'enabled';
    }),
  );
  app.post(
    '/admin/staff/sessions/:ref/revoke',
    formAction(async (s, _form, c) => {
      await (await port()).revokeStaffSession(actor(s), c.req.param('ref') ?? '');
      return 'revoked';
    }),
  );
  return app;
}
