/**
 * Builders for the back office's usual set-up — bidders, a sale, its lots, publishing, registrations —
 * through the admin API, with defaults for what a test does not care about. They take the call that
 * must succeed (`TestBackOffice.ok` against a running orchestrator, or the in-process client of
 * `orchestrator/admin/test-kit.ts`), so the same set-up serves the integration and the unit tier.
 */

/** An admin API call that must succeed; resolves with its JSON body. */
export type AdminOk = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** One increment band of 10.00 from the start: the plainest ladder. */
export const INCREMENTS = [{ from: '0', step: '10.00' }];

const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A sale's body: the id, anything else overrides the defaults (timed, EUR, titled by its id, an hour ahead). */
export type SaleSpec = { id: string } & Record<string, unknown>;
/** A lot's body: the id, anything else overrides the defaults (next lot number, 100.00 opening, INCREMENTS). */
export type LotSpec = { id: string } & Record<string, unknown>;

export interface SaleSetUp {
  /** Bidders to create first (named after their id without `bidder-`). */
  bidders?: string[];
  sale: SaleSpec;
  lots?: LotSpec[];
  /** Publish the sale (draft → scheduled) after adding the lots. */
  publish?: boolean;
  /** Bidders to register once published (or not), each with `registration` (default: approved). */
  register?: string[];
  registration?: Record<string, unknown>;
}

export interface AdminBuilders {
  bidders(...ids: string[]): Promise<void>;
  sale(spec: SaleSpec): Promise<Record<string, unknown>>;
  lot(saleId: string, spec: LotSpec): Promise<Record<string, unknown>>;
  publish(saleId: string): Promise<Record<string, unknown>>;
  /** Registers each bidder (approved unless `fields` says otherwise); the answers in order. */
  register(
    saleId: string,
    bidderIds: string[],
    fields?: Record<string, unknown>,
  ): Promise<Record<string, unknown>[]>;
  /** Sale → lots → publish → registrations, in the order the back office needs them. */
  setUp(s: SaleSetUp): Promise<void>;
}

/** The builders over `ok`; lot numbers count up per sale unless a lot gives its own. */
export function adminBuilders(ok: AdminOk): AdminBuilders {
  const lotNumbers = new Map<string, number>();
  const b: AdminBuilders = {
    async bidders(...ids) {
      for (const id of ids) await ok('POST', '/bidders', { id, name: id.replace('bidder-', '') });
    },
    sale(spec) {
      const now = Date.now();
      return ok('POST', '/sales', {
        mode: 'timed',
        currency: 'EUR',
        title: spec.id,
        startsAt: iso(now + HOUR),
        ...(spec.mode === 'live' ? {} : { endsAt: iso(now + 2 * HOUR) }),
        ...spec,
      });
    },
    lot(saleId, spec) {
      const next = (lotNumbers.get(saleId) ?? 0) + 1;
      const lotNumber = typeof spec.lotNumber === 'number' ? spec.lotNumber : next;
      lotNumbers.set(saleId, Math.max(next, lotNumber));
      return ok('POST', `/sales/${saleId}/lots`, {
        lotNumber,
        title: spec.id,
        opening: '100.00',
        increments: INCREMENTS,
        ...spec,
      });
    },
    publish(saleId) {
      return ok('POST', `/sales/${saleId}/publish`);
    },
    async register(saleId, bidderIds, fields = {}) {
      const out = [];
      for (const bidderId of bidderIds)
        out.push(await ok('POST', `/sales/${saleId}/registrations`, { bidderId, approve: true, ...fields }));
      return out;
    },
    async setUp(s) {
      if (s.bidders !== undefined) await b.bidders(...s.bidders);
      await b.sale(s.sale);
      for (const lot of s.lots ?? []) await b.lot(s.sale.id, lot);
      if (s.publish === true) await b.publish(s.sale.id);
      if (s.register !== undefined) await b.register(s.sale.id, s.register, s.registration);
    },
  };
  return b;
}
