/**
 * The sale catalogue: titles, lot numbers, estimates and images, which the bidding engine does
 * not hold. The orchestrator owns it (PostgreSQL) and serves it at `GET /catalogue/v1/sales[/{id}]`;
 * the gateway reads it through this interface — over HTTP in the distributed topology
 * (`HttpCatalogue`), in memory for the embedded demo and tests (`staticCatalogue`).
 *
 * The catalogue is per viewer: an invite-only sale is in it only for staff and the bidders the
 * house invited (docs/invite-only.md). Without a viewer (anonymous) it is the public catalogue.
 */
import type { Role } from './auth.ts';
import {
  saleListResponseSchema,
  saleResponseSchema,
  type SaleCatalogue,
  type SaleSummary,
} from './contracts/catalogue.ts';

export type { CatalogueLot } from './contracts/catalogue.ts';
export type { SaleSummary } from './contracts/catalogue.ts';
export type { SaleCatalogue } from './contracts/catalogue.ts';

/** Who is looking: a signed-in user's id and role (a bidder's id is their bidder record's). */
export interface Viewer {
  id: string;
  role: Role;
}

/** A stored lot image as the gateway serves it at `/media/<key>`. */
export interface MediaFile {
  body: Uint8Array;
  contentType: string;
}

/** Where the gateway serves lot images (both topologies): `/media/<key>`, the catalogue's image URLs. */
export const MEDIA_PATH = '/media/';

/**
 * A key as the back office writes them: `lots/<lot id>/<image id>-<variant>.<ext>`. Lot ids follow the
 * admin API's id rule (letters, digits, `.`, `_`, `-`, not starting with a dot), image ids are hex: no
 * `..`, no leading `/`, nothing a file system or S3 treats specially.
 */
const MEDIA_KEY = /^lots\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}\/[a-f0-9]{8,64}-(?:thumb|display)\.(?:webp|jpg)$/;

export function isMediaKey(key: string): boolean {
  return MEDIA_KEY.test(key) && !key.includes('..');
}

/** What browsers and proxies are told: the bytes under a media key never change, so keep them a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The headers of a served lot image (gateway and orchestrator alike). */
export function mediaHeaders(file: MediaFile): Record<string, string> {
  return {
    'Content-Type': file.contentType,
    'Content-Length': String(file.body.byteLength),
    'Cache-Control': IMMUTABLE,
    'X-Content-Type-Options': 'nosniff',
    // Never a document: an image opened on its own cannot run anything.
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cross-Origin-Resource-Policy': 'same-site',
  };
}

export function mediaUrl(key: string): string {
  return `${MEDIA_PATH}${key}`;
}

/** The viewer a signed-in user is (undefined: anonymous). */
export function viewerOf(user: { id: string; role: Role } | undefined): Viewer | undefined {
  return user === undefined ? undefined : { id: user.id, role: user.role };
}

/** Staff (auctioneers, admins) see every published sale, invite-only ones included. */
export function isStaff(viewer: Viewer | undefined): boolean {
  return viewer?.role === 'admin' || viewer?.role === 'auctioneer';
}

export interface Catalogue {
  /** The published sales `viewer` may see (anonymous: the public ones). */
  sales(viewer?: Viewer): Promise<SaleSummary[]>;
  /** The sale, when `viewer` may see it; undefined as for a sale that does not exist. */
  sale(id: string, viewer?: Viewer): Promise<SaleCatalogue | undefined>;
  /** A lot image's bytes by its media key (`lots/<lot>/<id>-thumb.webp`); absent = this catalogue has none. */
  media?(key: string): Promise<MediaFile | undefined>;
  /**
   * Staff only: the sale's registered paddles by bidder id (what the floor console calls an internet
   * bidder by). Undefined when the viewer is not staff or the sale is unknown; absent = none known.
   */
  paddles?(saleId: string, viewer: Viewer): Promise<Record<string, string> | undefined>;
}

/**
 * A catalogue over a fixed list of sales (the demo, tests). An invite-only sale here is shown to
 * staff and to the bidders in `invited` (sale id → bidder ids).
 */
export function staticCatalogue(
  sales: readonly SaleCatalogue[],
  invited: ReadonlyMap<string, readonly string[]> = new Map(),
  /** Sale id → bidder id → paddle: the registrations' paddles, shown to staff. */
  paddles: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map(),
): Catalogue {
  const byId = new Map(sales.map((s) => [s.id, s]));
  const sees = (s: SaleCatalogue, viewer: Viewer | undefined): boolean =>
    s.visibility !== 'invite_only' ||
    isStaff(viewer) ||
    (viewer !== undefined && (invited.get(s.id) ?? []).includes(viewer.id));
  return {
    sales: (viewer) =>
      Promise.resolve(
        sales
          .filter((s) => sees(s, viewer))
          .map((s) => ({
            id: s.id,
            title: s.title,
            mode: s.mode,
            currency: s.currency,
            lotCount: s.lots.length,
            ...(s.visibility === undefined ? {} : { visibility: s.visibility }),
          })),
      ),
    sale: (id, viewer) => {
      const s = byId.get(id);
      return Promise.resolve(s !== undefined && sees(s, viewer) ? s : undefined);
    },
    paddles: (saleId, viewer) =>
      Promise.resolve(isStaff(viewer) && byId.has(saleId) ? { ...paddles.get(saleId) } : undefined),
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

  async sales(viewer?: Viewer): Promise<SaleSummary[]> {
    return (await this.source).sales(viewer);
  }

  async sale(id: string, viewer?: Viewer): Promise<SaleCatalogue | undefined> {
    return (await this.source).sale(id, viewer);
  }

  async media(key: string): Promise<MediaFile | undefined> {
    const source = await this.source;
    return source.media === undefined ? undefined : source.media(key);
  }

  async paddles(saleId: string, viewer: Viewer): Promise<Record<string, string> | undefined> {
    const source = await this.source;
    return source.paddles === undefined ? undefined : source.paddles(saleId, viewer);
  }
}

/** The header that names the viewer to the orchestrator's catalogue (`role:id`), with the service token. */
export const VIEWER_HEADER = 'X-Gavel-Viewer';

export function viewerHeaderValue(viewer: Viewer): string {
  return `${viewer.role}:${viewer.id}`;
}

/**
 * Reads the orchestrator's catalogue over HTTP, keeping each answer for `ttlMs` (the catalogue
 * changes rarely), per viewer. The viewer is named in `X-Gavel-Viewer` with the service token
 * (`ACCOUNTS_SERVICE_TOKEN`) the orchestrator trusts it by; without the token only the public
 * catalogue is asked for, so an invite-only sale is shown to no one through this gateway.
 */
export class HttpCatalogue implements Catalogue {
  private readonly base: string;
  private readonly ttlMs: number;
  private readonly serviceToken: string | undefined;
  private readonly cache = new Map<string, { at: number; value: unknown }>();

  constructor(orchestratorUrl: string, ttlMs = 5_000, serviceToken?: string) {
    this.base = new URL('/catalogue/v1/', orchestratorUrl).toString();
    this.ttlMs = ttlMs;
    this.serviceToken = serviceToken;
  }

  async sales(viewer?: Viewer): Promise<SaleSummary[]> {
    const body = await this.get('sales', viewer);
    return saleListResponseSchema.parse(body).sales;
  }

  async sale(id: string, viewer?: Viewer): Promise<SaleCatalogue | undefined> {
    const body = await this.get(`sales/${encodeURIComponent(id)}`, viewer);
    if (body === undefined) return undefined;
    const parsed = saleResponseSchema.parse(body).sale;
    return {
      ...parsed,
      lots: parsed.lots.map(({ imageUrl, images, ...l }) => ({
        ...l,
        ...(imageUrl === undefined ? {} : { imageUrl }),
        ...(images === undefined ? {} : { images }),
      })),
    };
  }

  /** The orchestrator's `GET /catalogue/v1/sales/{id}/paddles` (staff viewers, with the service token). */
  async paddles(saleId: string, viewer: Viewer): Promise<Record<string, string> | undefined> {
    if (!isStaff(viewer) || this.serviceToken === undefined) return undefined;
    const body = await this.get(`sales/${encodeURIComponent(saleId)}/paddles`, viewer);
    const paddles = (body as { paddles?: unknown } | undefined)?.paddles;
    if (typeof paddles !== 'object' || paddles === null) return undefined;
    return Object.fromEntries(
      Object.entries(paddles).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  }

  /** The orchestrator's `/media/v1/<key>`: the bytes are immutable, so nothing is kept here (a CDN or the browser caches them). */
  async media(key: string): Promise<MediaFile | undefined> {
    const res = await fetch(new URL(`/media/v1/${key}`, this.base), { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`media: the orchestrator answered ${res.status} for ${key}`);
    return {
      body: new Uint8Array(await res.arrayBuffer()),
      contentType: res.headers.get('content-type') ?? 'application/octet-stream',
    };
  }

  private async get(path: string, viewer: Viewer | undefined): Promise<unknown> {
    const as = viewer === undefined || this.serviceToken === undefined ? undefined : viewer;
    const key = `${as === undefined ? '' : viewerHeaderValue(as)}\u0000${path}`;
    const hit = this.cache.get(key);
    if (hit !== undefined && Date.now() - hit.at < this.ttlMs) return hit.value;
    const headers: Record<string, string> = {};
    if (as !== undefined && this.serviceToken !== undefined) {
      headers.Authorization = `Bearer ${this.serviceToken}`;
      headers[VIEWER_HEADER] = viewerHeaderValue(as);
    }
    const res = await fetch(new URL(path, this.base), { headers, signal: AbortSignal.timeout(3_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`catalogue: the orchestrator answered ${res.status} for ${path}`);
    const value: unknown = await res.json();
    // Bounded: one entry per viewer and path would grow with every bidder who ever looked.
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }
}
