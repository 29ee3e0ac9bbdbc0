/** A timed sale set up through the orchestrator's admin API, as an auction house would: sale, lots, bidders, registrations, publish. */
import type { LotResult } from './checks.ts';

export interface TimedSalePlan {
  saleId: string;
  lotIds: string[];
  bidderIds: string[];
  currency: string;
  /** Minor units. */
  opening: number;
  /** Minor units: one increment for every price (so any amount at or above the asking price is valid). */
  step: number;
  startsAt: number;
  endsAt: number;
  softCloseSeconds: number;
}

export class AdminClient {
  private readonly base: string;
  /** A fresh admin token per call: admin tokens live at most 30 minutes, and a run may last longer. */
  private readonly token: () => Promise<string>;

  constructor(orchestratorUrl: string, adminToken: () => Promise<string>) {
    this.base = `${orchestratorUrl}/admin/v1`;
    this.token = adminToken;
  }

  /** A call that must succeed; its JSON body (throws with the answer otherwise). */
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${await this.token()}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

const decimal = (minor: number): string => (minor / 100).toFixed(2);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Creates and publishes the sale; every bidder registered, approved, with a limit no bid reaches. */
export async function createTimedSale(admin: AdminClient, plan: TimedSalePlan): Promise<void> {
  const big = '10000000.00';
  await admin.call('POST', '/sales', {
    id: plan.saleId,
    title: `Chaos run ${plan.saleId}`,
    mode: 'timed',
    currency: plan.currency,
    startsAt: iso(plan.startsAt),
    endsAt: iso(plan.endsAt),
    kycFreeLimit: big,
    cddThreshold: '100000000.00',
  });
  for (const [i, id] of plan.lotIds.entries()) {
    await admin.call('POST', `/sales/${plan.saleId}/lots`, {
      id,
      lotNumber: i + 1,
      title: `Lot ${i + 1}`,
      opening: decimal(plan.opening),
      increments: [{ from: '0.00', step: decimal(plan.step) }],
      endsAt: iso(plan.endsAt),
      graceMs: 500,
      softCloseSeconds: plan.softCloseSeconds,
    });
  }
  for (const id of plan.bidderIds) await admin.call('POST', '/bidders', { id, name: `Chaos ${id}` });
  await admin.call('POST', `/sales/${plan.saleId}/publish`);
  for (const id of plan.bidderIds)
    await admin.call('POST', `/sales/${plan.saleId}/registrations`, {
      bidderId: id,
      limit: big,
      approve: true,
    });
}

/** The back office's results of the sale (finalised lots only). */
export async function saleResults(admin: AdminClient, saleId: string): Promise<LotResult[]> {
  return (await admin.call<{ results: LotResult[] }>('GET', `/sales/${saleId}/results`)).results;
}
