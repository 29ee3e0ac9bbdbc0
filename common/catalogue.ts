/**
 * The sale catalogue: titles, lot numbers, estimates and images, which the bidding engine does
 * not hold. The orchestrator owns it (PostgreSQL) and serves it at `GET /catalogue/v1/sales[/{id}]`;
 * the gateway reads it through this interface — over HTTP in the distributed topology
 * (`HttpCatalogue`), in memory for the embedded demo and tests (`staticCatalogue`).
 */
import {
  saleListResponseSchema,
  saleResponseSchema,
  type SaleCatalogue,
  type SaleSummary,
} from './contracts/catalogue.ts';

export type { CatalogueLot } from './contracts/catalogue.ts';
export type { SaleSummary } from './contracts/catalogue.ts';
export type { SaleCatalogue } from './contracts/catalogue.ts';

export interface Catalogue {
  sales(): Promise<SaleSummary[]>;
  sale(id: string): Promise<SaleCatalogue | undefined>;
}

/** A catalogue over a fixed list of sales (the demo, tests). */
export function staticCatalogue(sales: readonly SaleCatalogue[]): Catalogue {
  const byId = new Map(sales.map((s) => [s.id, s]));
  return {
    sales: () =>
      Promise.resolve(
        sales.map((s) => ({
          id: s.id,
          title: s.title,
          mode: s.mode,
          currency: s.currency,
          lotCount: s.lots.length,
        })),
      ),
    sale: (id) => Promise.resolve(byId.get(id)),
  };
}

export const emptyCatalogue: Catalogue = staticCatalogue([]);

/**
 * A catalogue whose source is known only after the server starts: `npm start` binds the gateway
 * before the back office it reads its catalogue from is up. Reads wait until `resolve` is called.
 */
export class DeferredCatalogue implements Catalogue {
  private readonly source: Promise<Catalogue>;
  private settle: (c: Catalogue) => void = () => undefined;

  constructor() {
    this.source = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** From now on every read (and every read that was waiting) goes to `catalogue`. */
  resolve(catalogue: Catalogue): void {
    this.settle(catalogue);
  }

  async sales(): Promise<SaleSummary[]> {
    return (await this.source).sales();
  }

  async sale(id: string): Promise<SaleCatalogue | undefined> {
    return (await this.source).sale(id);
  }
}

/** Reads the orchestrator's catalogue over HTTP, keeping each answer for `ttlMs` (the catalogue changes rarely). */
export class HttpCatalogue implements Catalogue {
  private readonly base: string;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { at: number; value: unknown }>();

  constructor(orchestratorUrl: string, ttlMs = 5_000) {
    this.base = new URL('/catalogue/v1/', orchestratorUrl).toString();
    this.ttlMs = ttlMs;
  }

  async sales(): Promise<SaleSummary[]> {
    const body = await this.get('sales');
    return saleListResponseSchema.parse(body).sales;
  }

  async sale(id: string): Promise<SaleCatalogue | undefined> {
    const body = await this.get(`sales/${encodeURIComponent(id)}`);
    if (body === undefined) return undefined;
    const parsed = saleResponseSchema.parse(body).sale;
    return {
      ...parsed,
      lots: parsed.lots.map(({ imageUrl, ...l }) => (imageUrl === undefined ? l : { ...l, imageUrl })),
    };
  }

  private async get(path: string): Promise<unknown> {
    const hit = this.cache.get(path);
    if (hit !== undefined && Date.now() - hit.at < this.ttlMs) return hit.value;
    const res = await fetch(new URL(path, this.base), { signal: AbortSignal.timeout(3_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`catalogue: the orchestrator answered ${res.status} for ${path}`);
    const value: unknown = await res.json();
    this.cache.set(path, { at: Date.now(), value });
    return value;
  }
}
