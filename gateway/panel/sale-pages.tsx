/** @jsxImportSource hono/jsx */
/** Sales and lots: the list with its status filter, the sale's form (every rule the API has), its lots, the lot's form. */
import type { Child, FC } from 'hono/jsx';
import type { Json } from './admin-client.ts';
import { bandsText, bpToPercent, incrementsText, isoToLocal, type FormValues } from './forms.ts';
import { Field, inZone, Notice, orDash, PostForm, Select, TextArea } from './layout.tsx';

export const SALE_STATUSES = ['draft', 'scheduled', 'open', 'closed', 'cancelled'] as const;
const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export type Errors = Partial<Record<string, string>>;

export const SalesList: FC<{ sales: Json[]; status: string[]; error?: string | undefined }> = (p) => (
  <>
    <div class="title-row">
      <h1>Sales</h1>
      <a class="button primary" href="/admin/sales/new">
        New sale
      </a>
    </div>
    <Notice kind="error" text={p.error} />
    <form method="get" action="/admin/sales" class="filters" aria-label="Filter sales">
      <fieldset>
        <legend>Status</legend>
        {SALE_STATUSES.map((st) => (
          <label class="check">
            <input type="checkbox" name="status" value={st} checked={p.status.includes(st)} /> {st}
          </label>
        ))}
      </fieldset>
      <button type="submit">Filter</button>
    </form>
    {p.sales.length === 0 ? (
      <p>No sales{p.status.length === 0 ? '' : ` with status ${p.status.join(' or ')}`}.</p>
    ) : (
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Sales</caption>
          <thead>
            <tr>
              <th scope="col">Sale</th>
              <th scope="col">Mode</th>
              <th scope="col">Status</th>
              <th scope="col">Starts</th>
              <th scope="col">Currency</th>
            </tr>
          </thead>
          <tbody>
            {p.sales.map((sale) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/sales/${encodeURIComponent(s(sale.id))}`}>{s(sale.title)}</a>
                  <small class="id">{s(sale.id)}</small>
                </th>
                <td>{s(sale.mode)}</td>
                <td>
                  <span class={`badge ${s(sale.status)}`}>{s(sale.status)}</span>
                </td>
                <td>{inZone(sale.startsAt, s(sale.timezone) || 'UTC')}</td>
                <td>{s(sale.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </>
);

/** The sale's form: create (id, mode and currency asked) or edit. `values` are the form's own strings. */
export const SaleForm: FC<{
  action: string;
  csrf: string;
  values: FormValues;
  errors: Errors;
  create: boolean;
  error?: string | undefined;
}> = ({ action, csrf, values: v, errors: e, create, error }) => (
  <PostForm action={action} csrf={csrf} class="card form" label={create ? 'New sale' : 'Edit sale'}>
    <Notice kind="error" text={error} />
    <fieldset>
      <legend>The sale</legend>
      <div class="grid">
        {create ? (
          <Field
            name="id"
            label="Sale id"
            value={v.id}
            error={e.id}
            required
            hint="Letters, digits, . _ -; it never changes."
          />
        ) : null}
        <Field name="title" label="Title" value={v.title} error={e.title} required />
        {create ? (
          <Select
            name="mode"
            label="Mode"
            value={v.mode}
            error={e.mode}
            options={[
              ['timed', 'Timed (online, soft close)'],
              ['live', 'Live (auctioneer on the floor)'],
            ]}
          />
        ) : null}
        {create ? (
          <Field
            name="currency"
            label="Currency"
            value={v.currency}
            error={e.currency}
            required
            hint="ISO 4217, e.g. EUR"
          />
        ) : null}
      </div>
    </fieldset>
    <fieldset>
      <legend>Times</legend>
      <div class="grid">
        <Field
          name="timezone"
          label="Time zone"
          value={v.timezone}
          error={e.timezone}
          hint="IANA name, e.g. Europe/Paris; the times below are in it"
        />
        <Field
          name="startsAt"
          label="Starts"
          type="datetime-local"
          value={v.startsAt}
          error={e.startsAt}
          required
        />
        <Field
          name="endsAt"
          label="Ends (timed sales)"
          type="datetime-local"
          value={v.endsAt}
          error={e.endsAt}
        />
        <Field
          name="closingSoonSeconds"
          label="“Closing soon” notice (seconds before the end)"
          value={v.closingSoonSeconds}
          error={e.closingSoonSeconds}
          inputmode="numeric"
        />
      </div>
    </fieldset>
    <fieldset>
      <legend>Buyer's premium and tax</legend>
      <div class="grid">
        <TextArea
          name="premiumBands"
          label="Premium bands"
          value={v.premiumBands}
          error={e.premiumBands}
          hint="One band per line: the hammer it runs up to and the rate, e.g. “500000.00 25”; the last line “* 20” for the rest."
        />
        <Field name="taxRate" label="Tax rate (%)" value={v.taxRate} error={e.taxRate} inputmode="decimal" />
        <Select
          name="taxBase"
          label="Tax on"
          value={v.taxBase}
          error={e.taxBase}
          options={[
            ['premium', 'the premium'],
            ['hammer_and_premium', 'hammer and premium'],
          ]}
        />
      </div>
    </fieldset>
    <fieldset>
      <legend>Bidders</legend>
      <div class="grid">
        <Field
          name="kycFreeLimit"
          label="Limit without identity check"
          value={v.kycFreeLimit}
          error={e.kycFreeLimit}
          inputmode="decimal"
          hint="In the sale's currency, e.g. 5000.00"
        />
        <Field
          name="cddThreshold"
          label="Due-diligence threshold"
          value={v.cddThreshold}
          error={e.cddThreshold}
          inputmode="decimal"
        />
        <Field
          name="floorPaddles.from"
          label="Floor paddles from"
          value={v['floorPaddles.from']}
          error={e['floorPaddles.from']}
          inputmode="numeric"
        />
        <Field
          name="floorPaddles.to"
          label="Floor paddles to"
          value={v['floorPaddles.to']}
          error={e['floorPaddles.to']}
          inputmode="numeric"
        />
        <Field
          name="onlinePaddles.from"
          label="Online paddles from"
          value={v['onlinePaddles.from']}
          error={e['onlinePaddles.from']}
          inputmode="numeric"
        />
        <Field
          name="onlinePaddles.to"
          label="Online paddles to"
          value={v['onlinePaddles.to']}
          error={e['onlinePaddles.to']}
          inputmode="numeric"
        />
        <Select
          name="confirmBids"
          label="Bidders confirm a bid"
          value={v.confirmBids}
          error={e.confirmBids}
          options={[
            ['once_per_lot', 'once per lot'],
            ['every_bid', 'at every bid'],
            ['never', 'never'],
          ]}
        />
        <Field
          name="confirmBidsFrom"
          label="…for bids from"
          value={v.confirmBidsFrom}
          error={e.confirmBidsFrom}
          inputmode="decimal"
          hint="In the sale's currency; blank: 10,000 whole units; 0.00: every amount"
        />
      </div>
    </fieldset>
    <button type="submit" class="primary">
      {create ? 'Create the sale' : 'Save changes'}
    </button>
  </PostForm>
);

/** The API's sale → the form's values. */
export function saleFormValues(sale: Json): FormValues {
  const zone = s(sale.timezone) || 'UTC';
  const paddles = (k: string): { from?: number; to?: number } => {
    const v = sale[k];
    return typeof v === 'object' && v !== null ? v : {};
  };
  return {
    id: s(sale.id),
    title: s(sale.title),
    mode: s(sale.mode),
    currency: s(sale.currency),
    timezone: zone,
    startsAt: isoToLocal(sale.startsAt, zone),
    endsAt: isoToLocal(sale.endsAt, zone),
    closingSoonSeconds: s(sale.closingSoonSeconds),
    premiumBands: bandsText(sale.premiumBands),
    taxRate: bpToPercent(sale.taxRateBp),
    taxBase: s(sale.taxBase),
    kycFreeLimit: s(sale.kycFreeLimit),
    cddThreshold: s(sale.cddThreshold),
    'floorPaddles.from': s(paddles('floorPaddles').from),
    'floorPaddles.to': s(paddles('floorPaddles').to),
    'onlinePaddles.from': s(paddles('onlinePaddles').from),
    'onlinePaddles.to': s(paddles('onlinePaddles').to),
    confirmBids: s(sale.confirmBids) || 'once_per_lot',
    confirmBidsFrom: s(sale.confirmBidsFrom),
  };
}

export const NEW_SALE_VALUES: FormValues = {
  mode: 'timed',
  currency: 'EUR',
  timezone: 'Europe/London',
  premiumBands: '500000.00 25\n* 20',
  taxRate: '0',
  taxBase: 'premium',
  closingSoonSeconds: '300',
  confirmBids: 'once_per_lot',
};

/** The sale's own page: its state, actions, lots, and links to registrations, live view and results. */
export const SalePage: FC<{
  sale: Json;
  lots: Json[];
  csrf: string;
  form: Child;
  message?: string | undefined;
  error?: string | undefined;
  termsError?: string | undefined;
}> = (p) => {
  const id = encodeURIComponent(s(p.sale.id));
  const status = s(p.sale.status);
  const zone = s(p.sale.timezone) || 'UTC';
  return (
    <>
      <p class="crumbs">
        <a href="/admin/sales">Sales</a> / {s(p.sale.id)}
      </p>
      <div class="title-row">
        <h1>{s(p.sale.title)}</h1>
        <span class={`badge ${status}`}>{status}</span>
      </div>
      <Notice kind="ok" text={p.message} />
      <Notice kind="error" text={p.error} />
      <nav aria-label="This sale" class="subnav">
        <a href={`/admin/sales/${id}/registrations`}>Registrations</a>
        <a href={`/admin/sales/${id}/live`}>Live view</a>
        <a href={`/admin/sales/${id}/results`}>Results and exports</a>
        <a href={`/admin/sales/${id}/import`}>Import lots from CSV</a>
        <a href={`/admin/sales/${id}/lots.csv`} download>
          Download lots.csv
        </a>
      </nav>
      <section aria-labelledby="actions-h" class="actions">
        <h2 id="actions-h">Actions</h2>
        <dl class="facts">
          <dt>Mode</dt>
          <dd>{s(p.sale.mode)}</dd>
          <dt>Starts</dt>
          <dd>{inZone(p.sale.startsAt, zone)}</dd>
          <dt>Ends</dt>
          <dd>{inZone(p.sale.endsAt, zone)}</dd>
          <dt>Terms</dt>
          <dd>version {s(p.sale.termsVersion)}</dd>
        </dl>
        <div class="buttons">
          {status === 'draft' ? (
            <PostForm action={`/admin/sales/${id}/publish`} csrf={p.csrf} label="Publish">
              <button type="submit" class="primary">
                Publish the sale
              </button>
            </PostForm>
          ) : null}
          {status === 'closed' || status === 'cancelled' ? null : (
            <PostForm action={`/admin/sales/${id}/cancel`} csrf={p.csrf} label="Cancel the sale">
              <label class="check">
                <input type="checkbox" name="confirm" value="yes" required /> I mean to cancel this sale and
                all its lots
              </label>
              <button type="submit" class="danger">
                Cancel the sale
              </button>
            </PostForm>
          )}
        </div>
      </section>
      <section aria-labelledby="lots-h">
        <div class="title-row">
          <h2 id="lots-h">Lots</h2>
          {status === 'draft' || status === 'scheduled' ? (
            <a class="button" href={`/admin/sales/${id}/lots/new`}>
              Add a lot
            </a>
          ) : null}
        </div>
        <LotsTable lots={p.lots} />
      </section>
      <section aria-labelledby="terms-h">
        <h2 id="terms-h">Terms of sale</h2>
        <PostForm
          action={`/admin/sales/${id}/terms`}
          csrf={p.csrf}
          class="card form"
          label="Publish new terms"
        >
          <TextArea
            name="body"
            label="New terms (publishing them asks every bidder to accept this version)"
            rows={5}
            error={p.termsError}
          />
          <button type="submit">Publish these terms</button>
        </PostForm>
      </section>
      <section aria-labelledby="edit-h">
        <h2 id="edit-h">Rules of the sale</h2>
        {p.form}
      </section>
    </>
  );
};

export const LotsTable: FC<{ lots: Json[] }> = ({ lots }) =>
  lots.length === 0 ? (
    <p>No lots yet.</p>
  ) : (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">Lots</caption>
        <thead>
          <tr>
            <th scope="col">No.</th>
            <th scope="col">Lot</th>
            <th scope="col">Estimate</th>
            <th scope="col">Opening</th>
            <th scope="col">Reserve</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {lots.map((l) => (
            <tr>
              <td>{s(l.lotNumber)}</td>
              <th scope="row">
                <a href={`/admin/lots/${encodeURIComponent(s(l.id))}`}>{s(l.title)}</a>
                <small class="id">{s(l.id)}</small>
              </th>
              <td>
                {l.estimateLow === null ? '—' : `${s(l.estimateLow)}–${s(l.estimateHigh)}`} {s(l.currency)}
              </td>
              <td>{orDash(l.opening)}</td>
              <td>{orDash(l.reserve)}</td>
              <td>
                <span class={`badge ${s(l.status)}`}>{s(l.status)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );

export const LotForm: FC<{
  action: string;
  csrf: string;
  values: FormValues;
  errors: Errors;
  create: boolean;
  zone: string;
  currency: string;
  error?: string | undefined;
}> = ({ action, csrf, values: v, errors: e, create, zone, currency, error }) => (
  <PostForm action={action} csrf={csrf} class="card form" label={create ? 'New lot' : 'Edit lot'}>
    <Notice kind="error" text={error} />
    <fieldset>
      <legend>The lot</legend>
      <div class="grid">
        {create ? (
          <Field name="id" label="Lot id" value={v.id} error={e.id} required hint="Letters, digits, . _ -" />
        ) : null}
        <Field
          name="lotNumber"
          label="Lot number (order in the sale)"
          value={v.lotNumber}
          error={e.lotNumber}
          required
          inputmode="numeric"
        />
        <Field name="title" label="Title" value={v.title} error={e.title} required />
        <TextArea
          name="description"
          label="Description"
          value={v.description}
          error={e.description}
          rows={4}
        />
        <TextArea
          name="conditionReport"
          label="Condition report (shown to bidders on the lot page)"
          value={v.conditionReport}
          error={e.conditionReport}
          rows={4}
        />
        <Field name="consignorId" label="Consignor (bidder id)" value={v.consignorId} error={e.consignorId} />
        <Field name="imageUrl" label="Image URL (https)" value={v.imageUrl} error={e.imageUrl} type="url" />
      </div>
    </fieldset>
    <fieldset>
      <legend>Prices ({currency})</legend>
      <div class="grid">
        <Field
          name="opening"
          label="Opening bid"
          value={v.opening}
          error={e.opening}
          required
          inputmode="decimal"
        />
        <Field
          name="reserve"
          label="Reserve (never shown to bidders)"
          value={v.reserve}
          error={e.reserve}
          inputmode="decimal"
        />
        <Field
          name="estimateLow"
          label="Low estimate"
          value={v.estimateLow}
          error={e.estimateLow}
          inputmode="decimal"
        />
        <Field
          name="estimateHigh"
          label="High estimate"
          value={v.estimateHigh}
          error={e.estimateHigh}
          inputmode="decimal"
        />
        <TextArea
          name="increments"
          label="Increments"
          value={v.increments}
          error={e.increments}
          required
          hint="One line per band: the price it starts at and the step, e.g. “0.00 50.00” then “1000.00 100.00”."
        />
      </div>
    </fieldset>
    <fieldset>
      <legend>Times ({zone})</legend>
      <div class="grid">
        <Field
          name="startsAt"
          label="Opens (blank: with the sale)"
          type="datetime-local"
          value={v.startsAt}
          error={e.startsAt}
        />
        <Field
          name="endsAt"
          label="Ends (blank: with the sale)"
          type="datetime-local"
          value={v.endsAt}
          error={e.endsAt}
        />
        <Field
          name="softCloseSeconds"
          label="Soft close (seconds added by a late bid)"
          value={v.softCloseSeconds}
          error={e.softCloseSeconds}
          inputmode="numeric"
        />
      </div>
    </fieldset>
    <button type="submit" class="primary">
      {create ? 'Add the lot' : 'Save changes'}
    </button>
  </PostForm>
);

export function lotFormValues(lot: Json, zone: string): FormValues {
  return {
    id: s(lot.id),
    lotNumber: s(lot.lotNumber),
    title: s(lot.title),
    description: s(lot.description),
    conditionReport: s(lot.conditionReport),
    consignorId: s(lot.consignorId),
    imageUrl: s(lot.imageUrl),
    opening: s(lot.opening),
    reserve: s(lot.reserve),
    estimateLow: s(lot.estimateLow),
    estimateHigh: s(lot.estimateHigh),
    increments: incrementsText(lot.increments),
    startsAt: isoToLocal(lot.startsAt, zone),
    endsAt: isoToLocal(lot.endsAt, zone),
    softCloseSeconds: s(lot.softCloseSeconds),
  };
}
