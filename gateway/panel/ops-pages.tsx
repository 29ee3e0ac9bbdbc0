/** @jsxImportSource hono/jsx */
/** A lot's page (bids, cancellation), the live view, registrations, results and exports, and the audit log. */
import type { Child, FC } from 'hono/jsx';
import type { Json } from './admin-client.ts';
import { Field, inZone, Notice, orDash, PostForm, Select } from './layout.tsx';

const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const enc = (v: unknown): string => encodeURIComponent(s(v));

/** A section another feature adds to the lot's page (images, catalogue import…): a heading and its content. */
export interface LotSection {
  title: string;
  render(lot: Json, csrf: string): Child;
}

export const LotPage: FC<{
  lot: Json;
  sale: Json;
  engine: Json | null;
  entries: Json[];
  csrf: string;
  form: Child;
  sections: Child;
  message?: string | undefined;
  error?: string | undefined;
  cancelErrors?: Partial<Record<string, string>>;
}> = (p) => {
  const zone = s(p.sale.timezone) || 'UTC';
  const lotId = enc(p.lot.id);
  return (
    <>
      <p class="crumbs">
        <a href="/admin/sales">Sales</a> / <a href={`/admin/sales/${enc(p.sale.id)}`}>{s(p.sale.title)}</a> /
        lot {s(p.lot.lotNumber)}
      </p>
      <div class="title-row">
        <h1>
          Lot {s(p.lot.lotNumber)}: {s(p.lot.title)}
        </h1>
        <span class={`badge ${s(p.lot.status)}`}>{s(p.lot.status)}</span>
      </div>
      <Notice kind="ok" text={p.message} />
      <Notice kind="error" text={p.error} />
      <LiveFacts lot={p.lot} engine={p.engine} entries={p.entries} zone={zone} />
      {p.lot.finalised === true ? null : (
        <PostForm
          action={`/admin/lots/${lotId}/withdraw`}
          csrf={p.csrf}
          class="inline"
          label="Withdraw the lot"
        >
          <label class="check">
            <input type="checkbox" name="confirm" value="yes" required /> I mean to withdraw this lot
          </label>
          <button type="submit" class="danger">
            Withdraw the lot
          </button>
        </PostForm>
      )}
      <section aria-labelledby="bids-h">
        <h2 id="bids-h">Bids and floor actions</h2>
        <EntriesTable
          lotId={s(p.lot.id)}
          entries={p.entries}
          csrf={p.csrf}
          zone={zone}
          errors={p.cancelErrors ?? {}}
        />
      </section>
      {p.sections}
      <section aria-labelledby="edit-h">
        <h2 id="edit-h">Edit the lot</h2>
        {p.form}
      </section>
    </>
  );
};

/** The standing of a lot: status, price, leader, bids, end as extended. */
export const LiveFacts: FC<{ lot: Json; engine: Json | null; entries: Json[]; zone: string }> = (p) => {
  const last = [...p.entries].reverse().find((e) => e.outcome === 'accepted');
  const extensions = p.entries.filter((e) => e.extended === true).length;
  return (
    <dl class="facts live">
      <dt>Status</dt>
      <dd>{s(p.engine?.status ?? p.lot.status)}</dd>
      <dt>Price</dt>
      <dd>
        {orDash(p.engine?.price)} {s(p.lot.currency)}
      </dd>
      <dt>Leader</dt>
      <dd>{orDash(last?.leaderAfter)}</dd>
      <dt>Bids</dt>
      <dd>{s(p.engine?.bidCount ?? p.entries.filter((e) => e.entry === 'bid').length)}</dd>
      <dt>Ends</dt>
      <dd>{inZone(p.engine?.endsAt ?? p.lot.endsAt, p.zone)}</dd>
      <dt>Extensions</dt>
      <dd>{extensions}</dd>
    </dl>
  );
};

export const EntriesTable: FC<{
  lotId: string;
  entries: Json[];
  csrf: string;
  zone: string;
  errors: Partial<Record<string, string>>;
}> = (p) =>
  p.entries.length === 0 ? (
    <p>No bids yet.</p>
  ) : (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">Bids and floor actions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Bidder</th>
            <th scope="col">Amount</th>
            <th scope="col">Outcome</th>
            <th scope="col">Channel</th>
            <th scope="col">Cancel</th>
          </tr>
        </thead>
        <tbody>
          {[...p.entries].reverse().map((e) => {
            const seq = s(e.seq);
            const cancelled = e.cancelled as { at: string; reason: string } | null;
            const err = p.errors[seq];
            return (
              <tr>
                <td>{seq}</td>
                <td>{inZone(e.decidedAt, p.zone)}</td>
                <td>{`${s(e.entry)}${e.action === null || e.action === e.entry ? '' : ` · ${s(e.action)}`}`}</td>
                <td>{orDash(e.bidderId ?? e.paddle)}</td>
                <td>{orDash(e.amount)}</td>
                <td>
                  {s(e.outcome)}
                  {e.reason === null ? '' : ` (${s(e.reason)})`}
                </td>
                <td>{s(e.channel)}</td>
                <td>
                  {cancelled !== null ? (
                    `cancelled: ${cancelled.reason}`
                  ) : e.entry === 'bid' && e.outcome === 'accepted' ? (
                    <PostForm
                      action={`/admin/lots/${encodeURIComponent(p.lotId)}/bids/${seq}/cancel`}
                      csrf={p.csrf}
                      class="inline"
                      label={`Cancel bid ${seq}`}
                    >
                      <label for={`reason-${seq}`} class="sr-only">
                        Reason for cancelling bid {seq}
                      </label>
                      <input
                        id={`reason-${seq}`}
                        name="reason"
                        required
                        minlength={3}
                        placeholder="Reason"
                        aria-invalid={err === undefined ? undefined : 'true'}
                        aria-describedby={err === undefined ? undefined : `reason-${seq}-error`}
                      />
                      <button type="submit" class="danger small">
                        Cancel bid
                      </button>
                      {err === undefined ? null : (
                        <p class="field-error" id={`reason-${seq}-error`}>
                          {err}
                        </p>
                      )}
                    </PostForm>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );

/** The live view's table: one row per lot; htmx swaps it every few seconds (without script: the Refresh link). */
export const LiveTable: FC<{
  saleId: string;
  rows: { lot: Json; engine: Json | null; leader: string | null; extensions: number }[];
  zone: string;
}> = (p) => (
  <div
    id="live-table"
    class="table-wrap"
    hx-get={`/admin/sales/${encodeURIComponent(p.saleId)}/live/table`}
    hx-trigger="every 5s"
    hx-swap="outerHTML"
  >
    <table>
      <caption class="sr-only">Every lot as it stands</caption>
      <thead>
        <tr>
          <th scope="col">No.</th>
          <th scope="col">Lot</th>
          <th scope="col">Status</th>
          <th scope="col">Price</th>
          <th scope="col">Leader</th>
          <th scope="col">Bids</th>
          <th scope="col">Ends</th>
          <th scope="col">Extensions</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => (
          <tr>
            <td>{s(r.lot.lotNumber)}</td>
            <th scope="row">
              <a href={`/admin/lots/${enc(r.lot.id)}`}>{s(r.lot.title)}</a>
            </th>
            <td>{s(r.engine?.status ?? r.lot.status)}</td>
            <td>
              {orDash(r.engine?.price)} {s(r.lot.currency)}
            </td>
            <td>{orDash(r.leader)}</td>
            <td>{s(r.engine?.bidCount ?? 0)}</td>
            <td>{inZone(r.engine?.endsAt ?? r.lot.endsAt, p.zone)}</td>
            <td>{r.extensions}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <p class="hint">As of {new Date().toISOString().slice(11, 19)} UTC.</p>
  </div>
);

export const RegistrationsPage: FC<{
  sale: Json;
  registrations: Json[];
  csrf: string;
  message?: string | undefined;
  error?: string | undefined;
  rowErrors: Partial<Record<string, { field: string | undefined; message: string }>>;
  addValues: Record<string, string>;
  addErrors: Partial<Record<string, string>>;
}> = (p) => {
  const saleId = enc(p.sale.id);
  return (
    <>
      <p class="crumbs">
        <a href="/admin/sales">Sales</a> / <a href={`/admin/sales/${saleId}`}>{s(p.sale.title)}</a> /
        registrations
      </p>
      <h1>Registrations</h1>
      <Notice kind="ok" text={p.message} />
      <Notice kind="error" text={p.error} />
      {p.registrations.length === 0 ? (
        <p>Nobody has registered yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Registrations for this sale</caption>
            <thead>
              <tr>
                <th scope="col">Bidder</th>
                <th scope="col">Paddle</th>
                <th scope="col">Status</th>
                <th scope="col">Terms</th>
                <th scope="col">May bid up to</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {p.registrations.map((r) => {
                const bidder = s(r.bidderId);
                const el = r.eligibility as { limit?: string; reasons?: string[] } | null;
                const err = p.rowErrors[bidder];
                const fid = `limit-${bidder.replace(/[^A-Za-z0-9_-]/g, '-')}`;
                return (
                  <tr>
                    <th scope="row">
                      <a href={`/admin/bidders/${enc(bidder)}`}>{bidder}</a>
                    </th>
                    <td>{orDash(r.paddle)}</td>
                    <td>
                      <span class={`badge ${s(r.status)}`}>{s(r.status)}</span>
                    </td>
                    <td>{r.termsVersion === null ? 'not accepted' : `v${s(r.termsVersion)}`}</td>
                    <td>
                      {orDash(el?.limit)}
                      {el?.reasons !== undefined && el.reasons.length > 0 ? (
                        <small class="hint"> {el.reasons.join(', ')}</small>
                      ) : null}
                    </td>
                    <td>
                      <PostForm
                        action={`/admin/sales/${saleId}/registrations/${enc(bidder)}`}
                        csrf={p.csrf}
                        class="inline"
                        label={`Decide on ${bidder}`}
                      >
                        <label for={fid}>Limit</label>
                        <input
                          id={fid}
                          name="limit"
                          inputmode="decimal"
                          value={s(r.limit)}
                          aria-invalid={err?.field === 'limit' ? 'true' : undefined}
                          aria-describedby={err === undefined ? undefined : `${fid}-error`}
                        />
                        <button type="submit" name="status" value="approved" class="primary small">
                          Approve
                        </button>
                        <button type="submit" name="status" value="declined" class="small">
                          Refuse
                        </button>
                        {err === undefined ? null : (
                          <p class="field-error" id={`${fid}-error`}>
                            {err.message}
                          </p>
                        )}
                      </PostForm>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <section aria-labelledby="add-h">
        <h2 id="add-h">Register a bidder</h2>
        <PostForm
          action={`/admin/sales/${saleId}/registrations`}
          csrf={p.csrf}
          class="card form"
          label="Register a bidder"
        >
          <div class="grid">
            <Field
              name="bidderId"
              label="Bidder id"
              value={p.addValues.bidderId}
              error={p.addErrors.bidderId}
              required
            />
            <Select
              name="channel"
              label="Channel"
              value={p.addValues.channel}
              error={p.addErrors.channel}
              options={[
                ['online', 'Online'],
                ['floor', 'In the room'],
              ]}
            />
            <Field
              name="limit"
              label="Limit"
              value={p.addValues.limit}
              error={p.addErrors.limit}
              inputmode="decimal"
            />
          </div>
          <label class="check">
            <input type="checkbox" name="approve" value="yes" checked={p.addValues.approve === 'yes'} />{' '}
            Approve now
          </label>
          <button type="submit">Register</button>
        </PostForm>
      </section>
    </>
  );
};

export const ResultsPage: FC<{ sale: Json; results: Json[] }> = (p) => {
  const saleId = enc(p.sale.id);
  return (
    <>
      <p class="crumbs">
        <a href="/admin/sales">Sales</a> / <a href={`/admin/sales/${saleId}`}>{s(p.sale.title)}</a> / results
      </p>
      <h1>Results and exports</h1>
      <ul class="downloads">
        <li>
          <a href={`/admin/sales/${saleId}/ledger.csv`} download>
            Ledger (CSV): every decision, accepted and refused
          </a>
        </li>
        <li>
          <a href={`/admin/sales/${saleId}/results.csv`} download>
            Results and invoices (CSV)
          </a>
        </li>
        <li>
          <a href={`/admin/audit.csv?entityType=sale&entityId=${saleId}`} download>
            The sale's audit log (CSV)
          </a>
        </li>
      </ul>
      {p.results.length === 0 ? (
        <p>No lot is finalised yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Results in {s(p.sale.currency)}</caption>
            <thead>
              <tr>
                <th scope="col">No.</th>
                <th scope="col">Outcome</th>
                <th scope="col">Hammer</th>
                <th scope="col">Buyer</th>
                <th scope="col">Premium</th>
                <th scope="col">Tax</th>
                <th scope="col">Invoice total</th>
              </tr>
            </thead>
            <tbody>
              {p.results.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`/admin/lots/${enc(r.lotId)}`}>{s(r.lotNumber)}</a>
                  </th>
                  <td>{s(r.outcome)}</td>
                  <td>{orDash(r.hammer)}</td>
                  <td>{orDash(r.buyer)}</td>
                  <td>{orDash(r.premium)}</td>
                  <td>{orDash(r.tax)}</td>
                  <td>{orDash(r.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
};

export const AuditPage: FC<{
  entries: Json[];
  filters: Record<string, string>;
  error?: { field: string | undefined; message: string } | undefined;
  csv: string;
}> = (p) => {
  const e = (f: string): string | undefined => (p.error?.field === f ? p.error.message : undefined);
  return (
    <>
      <h1>Audit log</h1>
      <form method="get" action="/admin/audit" class="card form" aria-label="Filter the audit log">
        {p.error !== undefined && p.error.field === undefined ? (
          <Notice kind="error" text={p.error.message} />
        ) : null}
        <div class="grid">
          <Field
            name="actor"
            label="Actor"
            value={p.filters.actor}
            error={e('actor')}
            hint="e.g. admin:acc_… (staff) or system"
          />
          <Field
            name="entityType"
            label="Entity type"
            value={p.filters.entityType}
            error={e('entityType')}
            hint="sale, lot, bidder, registration…"
          />
          <Field name="entityId" label="Entity id" value={p.filters.entityId} error={e('entityId')} />
          <Field
            name="from"
            label="From (UTC)"
            type="datetime-local"
            value={p.filters.from}
            error={e('from')}
          />
          <Field name="to" label="To (UTC)" type="datetime-local" value={p.filters.to} error={e('to')} />
        </div>
        <button type="submit">Filter</button> <a href={`/admin/audit.csv${p.csv}`}>Download as CSV</a>
      </form>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Entity</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {p.entries.map((x) => (
              <tr>
                <td>{s(x.at).replace('T', ' ').slice(0, 19)}</td>
                <td>{s(x.actor)}</td>
                <td>{s(x.action)}</td>
                <td>
                  {s(x.entityType)} {s(x.entityId)}
                </td>
                <td>
                  <code>
                    {x.details === null || x.details === undefined
                      ? ''
                      : JSON.stringify(x.details).slice(0, 300)}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
};
