/** @jsxImportSource hono/jsx */
/** Bidders: search, and one bidder's page — registrations, flags, identity checks (manual verification), notifications. */
import type { FC } from 'hono/jsx';
import type { Json } from './admin-client.ts';
import { Field, Notice, orDash, PostForm } from './layout.tsx';

const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const enc = (v: unknown): string => encodeURIComponent(s(v));

export const BiddersList: FC<{ q: string; bidders: Json[]; error?: string | undefined }> = (p) => (
  <>
    <h1>Bidders</h1>
    <form method="get" action="/admin/bidders" class="filters" role="search" aria-label="Search bidders">
      <label for="q">Name, email, phone or id</label>
      <input id="q" name="q" type="search" value={p.q} />
      <button type="submit">Search</button>
    </form>
    <Notice kind="error" text={p.error} />
    {p.bidders.length === 0 ? (
      <p>No bidder matches.</p>
    ) : (
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Bidders</caption>
          <thead>
            <tr>
              <th scope="col">Bidder</th>
              <th scope="col">Email</th>
              <th scope="col">Phone</th>
              <th scope="col">Identity</th>
              <th scope="col">Due diligence</th>
              <th scope="col">Blocked</th>
            </tr>
          </thead>
          <tbody>
            {p.bidders.map((b) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/bidders/${enc(b.id)}`}>{s(b.displayName)}</a>
                  <small class="id">{s(b.id)}</small>
                </th>
                <td>{orDash(b.email)}</td>
                <td>{orDash(b.phone)}</td>
                <td>{s(b.kycStatus)}</td>
                <td>{b.cddVerified === true ? 'verified' : 'not done'}</td>
                <td>
                  {b.blocked === true
                    ? `yes${b.blockedReason === undefined ? '' : `: ${s(b.blockedReason)}`}`
                    : 'no'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </>
);

export const BidderPage: FC<{
  bidder: Json;
  registrations: Json[];
  checks: Json[] | undefined;
  notifications: Json[];
  csrf: string;
  message?: string | undefined;
  error?: string | undefined;
  errors: Partial<Record<string, string>>;
}> = (p) => {
  const id = enc(p.bidder.id);
  const b = p.bidder;
  return (
    <>
      <p class="crumbs">
        <a href="/admin/bidders">Bidders</a> / {s(b.id)}
      </p>
      <h1>{s(b.displayName)}</h1>
      <Notice kind="ok" text={p.message} />
      <Notice kind="error" text={p.error ?? (b.kycStatus === 'verified' ? p.errors.kycReason : undefined)} />
      <dl class="facts">
        <dt>Email</dt>
        <dd>{orDash(b.email)}</dd>
        <dt>Phone</dt>
        <dd>{orDash(b.phone)}</dd>
        <dt>Country</dt>
        <dd>{orDash(b.country)}</dd>
        <dt>Identity (KYC)</dt>
        <dd>{s(b.kycStatus)}</dd>
        <dt>Due diligence</dt>
        <dd>{b.cddVerified === true ? 'verified' : 'not done'}</dd>
        <dt>Blocked</dt>
        <dd>
          {b.blocked === true ? `yes${b.blockedReason === undefined ? '' : `: ${s(b.blockedReason)}`}` : 'no'}
        </dd>
      </dl>
      <section aria-labelledby="flags-h" class="actions">
        <h2 id="flags-h">Standing</h2>
        <div class="buttons">
          {b.blocked === true ? (
            <PostForm action={`/admin/bidders/${id}/unblock`} csrf={p.csrf} label="Unblock">
              <button type="submit">Unblock</button>
            </PostForm>
          ) : (
            <PostForm action={`/admin/bidders/${id}/block`} csrf={p.csrf} label="Block" class="inline">
              <Field id="block-reason" name="reason" label="Why block" error={p.errors.blockReason} />
              <button type="submit" class="danger">
                Block
              </button>
            </PostForm>
          )}
          {b.cddVerified === true ? null : (
            <PostForm action={`/admin/bidders/${id}/cdd`} csrf={p.csrf} label="Due diligence">
              <button type="submit">Record due diligence done</button>
            </PostForm>
          )}
        </div>
      </section>
      <section aria-labelledby="regs-h">
        <h2 id="regs-h">Registrations</h2>
        {p.registrations.length === 0 ? (
          <p>Not registered for any sale.</p>
        ) : (
          <ul>
            {p.registrations.map((r) => (
              <li>
                <a href={`/admin/sales/${enc(r.saleId)}/registrations`}>{s(r.saleId)}</a>: {s(r.status)},
                paddle {orDash(r.paddle)} ({s(r.channel)})
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="kyc-h">
        <h2 id="kyc-h">Identity checks</h2>
        {p.checks === undefined || p.checks.length === 0 ? (
          <p>No identity check yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Identity checks, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">By</th>
                  <th scope="col">Status</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Requested</th>
                </tr>
              </thead>
              <tbody>
                {p.checks.map((k) => (
                  <tr>
                    <td>{s(k.id)}</td>
                    <td>{s(k.provider)}</td>
                    <td>{s(k.status)}</td>
                    <td>{orDash(k.reason)}</td>
                    <td>{orDash(k.requestedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div class="buttons">
          <PostForm action={`/admin/bidders/${id}/kyc`} csrf={p.csrf} label="Start an identity check">
            <button type="submit">Start an identity check with the vendor</button>
          </PostForm>
          {b.kycStatus === 'verified' ? null : (
            <PostForm
              action={`/admin/bidders/${id}/kyc/manual`}
              csrf={p.csrf}
              class="inline"
              label="Verify by hand"
            >
              <Field
                id="kyc-reason"
                name="reason"
                label="Verified by hand: how"
                error={p.errors.kycReason}
                required
                hint="e.g. passport seen at the front desk by J. Smith"
              />
              <button type="submit">Mark identity verified</button>
            </PostForm>
          )}
        </div>
      </section>
      <section aria-labelledby="notes-h">
        <h2 id="notes-h">What the bidder was told</h2>
        {p.notifications.length === 0 ? (
          <p>No notification yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Notifications, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Channels</th>
                </tr>
              </thead>
              <tbody>
                {p.notifications.map((n) => (
                  <tr>
                    <td>{s(n.createdAt)}</td>
                    <td>{s(n.type)}</td>
                    <td>
                      {((n.channels ?? []) as Json[])
                        .map(
                          (ch) =>
                            `${s(ch.channel)} → ${s(ch.recipient)}${ch.error === null ? '' : ` (${s(ch.error)})`}`,
                        )
                        .join('; ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
};

export const StatusPage: FC<{ title: string; text: string }> = (p) => (
  <>
    <h1>{p.title}</h1>
    <p>{p.text}</p>
  </>
);
