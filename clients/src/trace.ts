/**
 * What each screen rendered and when, kept on `window.gavelTrace`: the latency indicator reads it,
 * and the end-to-end test compares it across screens with the decision times the gateway answered.
 * Times are wall-clock milliseconds (Date.now()), the same clock the gateway stamps decisions with.
 */
export interface RenderTrace {
  auctionId: string;
  seq: number;
  price: string;
  leader: string | null;
  /** How the state arrived: a live update, one the hub replayed, a snapshot (start or resync), or this page's own HTTP answer. */
  via: 'live' | 'replay' | 'snapshot' | 'answer';
  at: number;
}

export interface DecisionTrace {
  auctionId: string;
  seq: number;
  /** The engine's decision time, from the HTTP answer of this page's own bid or floor action. */
  decidedAt: number;
}

export interface GavelTrace {
  renders: RenderTrace[];
  decisions: DecisionTrace[];
}

declare global {
  interface Window {
    gavelTrace: GavelTrace;
  }
}

window.gavelTrace = { renders: [], decisions: [] };

export function traceRender(entry: Omit<RenderTrace, 'at'>): RenderTrace {
  const full = { ...entry, at: Date.now() };
  window.gavelTrace.renders.push(full);
  return full;
}

export function traceDecision(auctionId: string, seq: number, decidedAt: string): void {
  const t = Date.parse(decidedAt);
  if (!Number.isFinite(t)) return;
  window.gavelTrace.decisions.push({ auctionId, seq, decidedAt: t });
}
