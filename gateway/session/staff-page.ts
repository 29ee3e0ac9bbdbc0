/**
 * /admin/staff: the staff, their roles, status and live sessions, with an admin's forms (invite,
 * roles, disable/enable, revoke a session). `staffPageBody` is the page's body alone, so the /admin
 * panel's layout can take it in.
 */
import { html } from 'hono/html';
import { STAFF_ROLES, type StaffMember } from '../../common/accounts.ts';
import { layout, type Page } from './pages.ts';

const NOTICES: Record<string, string> = {
  invited: 'Invitation sent: the link works once, within 15 minutes.',
  roles: 'Roles saved.',
  disabled: 'Account disabled: its sessions have ended.',
  enabled: 'Account enabled.',
  revoked: 'Session ended.',
};

const ROLE_LABEL: Record<string, string> = { admin: 'Admin', auctioneer: 'Auctioneer' };

const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export interface StaffPageModel {
  staff: StaffMember[];
  me: string;
  csrf: string;
  notice?: string | undefined;
  error?: string | undefined;
}

export function staffPageBody(m: StaffPageModel): Page {
  const notice = m.notice === undefined ? undefined : NOTICES[m.notice];
  return html`<h1>Staff</h1>
    ${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}
    ${m.error === undefined ? '' : html`<p class="error" role="alert">${m.error}</p>`}
    <section aria-labelledby="invite-heading" class="card">
      <h2 id="invite-heading">Invite a staff member</h2>
      <form method="post" action="/admin/staff/invite">
        <input type="hidden" name="csrf" value="${m.csrf}" />
        <label for="invite-name">Name</label>
        <input id="invite-name" name="name" autocomplete="off" required maxlength="100" />
        <label for="invite-email">Email</label>
        <input id="invite-email" name="email" type="email" autocomplete="off" required />
        <fieldset>
          <legend>Roles</legend>
          ${STAFF_ROLES.map(
            (r) =>
              html`<label
                ><input type="checkbox" name="roles" value="${r}" ${r === 'auctioneer' ? 'checked' : ''} />
                ${ROLE_LABEL[r]}</label
              >`,
          )}
        </fieldset>
        <button type="submit">Send invitation</button>
      </form>
    </section>
    <h2>Members</h2>
    <ul class="plain" id="staff">
      ${m.staff.map((s) => member(s, m))}
    </ul>`;
}

function member(s: StaffMember, m: StaffPageModel): Page {
  const a = s.account;
  const self = a.id === m.me;
  return html`<li class="card" data-email="${a.email}">
    <div class="row">
      <span
        ><strong>${a.name}</strong>${self ? ' (you)' : ''}<br /><span class="muted">${a.email}</span></span
      >
      <span class="muted"
        >${a.status === 'active' ? 'Active' : 'Disabled'} · ${s.passkeys}
        passkey${s.passkeys === 1 ? '' : 's'} ·
        ${s.totp ? 'authenticator app on' : 'no authenticator app'}</span
      >
    </div>
    <form method="post" action="/admin/staff/${a.id}/roles">
      <input type="hidden" name="csrf" value="${m.csrf}" />
      <fieldset>
        <legend>Roles of ${a.name}</legend>
        ${STAFF_ROLES.map(
          (r) =>
            html`<label
              ><input type="checkbox" name="roles" value="${r}" ${a.roles.includes(r) ? 'checked' : ''} />
              ${ROLE_LABEL[r]}</label
            >`,
        )}
      </fieldset>
      <button type="submit" class="quiet">Save roles</button>
    </form>
    ${
      self
        ? ''
        : html`<form method="post" action="/admin/staff/${a.id}/status" class="inline">
            <input type="hidden" name="csrf" value="${m.csrf}" />
            <input type="hidden" name="status" value="${a.status === 'active' ? 'disabled' : 'active'}" />
            <button type="submit" class="${a.status === 'active' ? 'danger' : 'quiet'}">
              ${a.status === 'active' ? `Disable ${a.name}` : `Enable ${a.name}`}
            </button>
          </form>`
    }
    ${
      s.sessions.length === 0
        ? html`<p class="muted">No live session.</p>`
        : html`<table>
            <caption class="muted" style="text-align:left">
              Live sessions of ${a.name}
            </caption>
            <thead>
              <tr>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">Browser</th>
                <th scope="col"><span class="muted">Action</span></th>
              </tr>
            </thead>
            <tbody>
              ${s.sessions.map(
                (x) =>
                  html`<tr>
                    <td>${when(x.createdAt)}</td>
                    <td>${when(x.lastSeen)}</td>
                    <td>${(x.userAgent ?? '—').slice(0, 60)}</td>
                    <td>
                      <form method="post" action="/admin/staff/sessions/${x.ref}/revoke" class="inline">
                        <input type="hidden" name="csrf" value="${m.csrf}" />
                        <button type="submit" class="danger">End</button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </li>`;
}

export function staffPage(m: StaffPageModel): Page {
  return layout('Staff', staffPageBody(m), { wide: true });
}
