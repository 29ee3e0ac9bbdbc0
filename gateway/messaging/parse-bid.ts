/**
 * Reads a bid out of a text message (SMS, WhatsApp). Deterministic patterns only, so the same text
 * always means the same bid:
 *
 *   #102 2500            #102 2,500.00         BID 102 2500
 *   BID 2500 FOR 102     BID €2500 ON LOT 102  102 EUR 2500
 *   #102 2500 MAX 4000   (a confidential maximum: the engine bids for you up to it)
 *
 * The lot is named by its lot number or its code; amounts are decimal with a dot, thousands may be
 * grouped with commas, and may carry the sale's currency as a code or symbol. Anything else is
 * unreadable (the sender is told the format) rather than guessed: "1.250" or "250,50" could each
 * mean two different amounts.
 */

export interface ParsedAmount {
  /** A decimal string without grouping ("2500.00"): the money parser checks its scale. */
  decimal: string;
  /** The currency the sender named (an ISO 4217 code), if any. */
  currency: string | undefined;
  /** The currency symbol the sender wrote ("€", "$"), if any: the caller checks it is the sale's. */
  symbol: string | undefined;
}

export type ParsedBid =
  | { ok: true; lot: string; amount: ParsedAmount; max: ParsedAmount | undefined }
  | { ok: false; problem: 'UNREADABLE' | 'AMBIGUOUS_CURRENCY' };

/** ISO 4217 codes, so "102 FOR 2500" is not read as an amount in a currency called FOR. */
const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** One amount token: an optional code or symbol before or after, digits with optional comma grouping, an optional dot fraction. */
const AMOUNT = String.raw`(?:[A-Z]{3} ?)?[€£$¥]?\d[\d,]*(?:\.\d+)?(?: ?[A-Z]{3})?`;
const LOT = String.raw`#?([A-Z0-9][A-Z0-9_-]*)`;
const MAX = String.raw`(?: (?:MAX|MAXIMUM|UP TO) (${AMOUNT}))?`;
const PATTERNS = [
  // "BID 2500 FOR 102", "BID €2500 ON LOT #102" (first: the general pattern would take 2500 for the lot)
  new RegExp(`^BID (${AMOUNT}) (?:FOR|ON) (?:LOT )?${LOT}${MAX}$`),
  // "#102 2500", "BID 102 2500", "LOT 102 2500", "BID LOT 102 EUR 2500 MAX 4000"
  new RegExp(`^(?:BID )?(?:LOT )?${LOT} (${AMOUNT})${MAX}$`),
];

export function parseBidMessage(text: string): ParsedBid {
  const norm = text.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();
  for (const [i, re] of PATTERNS.entries()) {
    const m = re.exec(norm);
    if (m === null) continue;
    const [lot, amountToken] = i === 0 ? [m[2]!, m[1]!] : [m[1]!, m[2]!];
    // "BID" alone names no lot ("BID 2500" is unreadable, not a bid on lot BID).
    if (lot === 'BID' || lot === 'LOT') continue;
    const amount = parseAmountToken(amountToken);
    const max = m[3] === undefined ? undefined : parseAmountToken(m[3]);
    if (amount === undefined || (m[3] !== undefined && max === undefined))
      return { ok: false, problem: 'UNREADABLE' };
    if (amount === 'AMBIGUOUS' || max === 'AMBIGUOUS') return { ok: false, problem: 'AMBIGUOUS_CURRENCY' };
    if (
      max !== undefined &&
      ((max.currency !== undefined && amount.currency !== undefined && max.currency !== amount.currency) ||
        (max.symbol !== undefined && amount.symbol !== undefined && max.symbol !== amount.symbol))
    )
      return { ok: false, problem: 'AMBIGUOUS_CURRENCY' };
    return { ok: true, lot, amount, max };
  }
  return { ok: false, problem: 'UNREADABLE' };
}

const TOKEN = /^(?:([A-Z]{3}) ?)?([€£$¥])?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?: ?([A-Z]{3}))?$/;

function parseAmountToken(token: string): ParsedAmount | 'AMBIGUOUS' | undefined {
  const m = TOKEN.exec(token);
  if (m === null) return undefined;
  const codes = [m[1], m[5]].filter((c): c is string => c !== undefined);
  if (codes.some((c) => !ISO_CURRENCIES.has(c))) return undefined;
  if (new Set(codes).size > 1) return 'AMBIGUOUS';
  return { decimal: m[3]!.replace(/,/g, '') + (m[4] ?? ''), currency: codes[0], symbol: m[2] };
}
