/**
 * The notice a bidder gets when the house decides on their registration (approved, declined,
 * revoked): one outbox event per decision, written in the decision's own transaction, so the hub,
 * email and the bidder's chosen channels (SMS, WhatsApp) each carry it once (notify/).
 */
import type { RegistrationDecisionEvent } from '../../common/contracts/events.ts';
import { displayAmount, formatAmount, parseAmount } from '../../common/money.ts';
import type { Topics } from '../../common/topics.ts';
import type { Queryable } from '../ledger/db.ts';
import { enqueue, loadRegistration, type Registration, type Sale } from '../ledger/records.ts';

export const REGISTRATION_DECISIONS = ['approved', 'declined', 'revoked'] as const;
export type RegistrationDecision = (typeof REGISTRATION_DECISIONS)[number];

const isDecision = (s: string): s is RegistrationDecision =>
  (REGISTRATION_DECISIONS as readonly string[]).includes(s);

/**
 * Queues the notice of a status change, after the change (in its transaction). Nothing when the
 * status did not change (a repeated PATCH is no new decision) or is not a decision (back to pending).
 * `decisionId` (the admin request's correlation id) makes the outbox's dedupe key, so the same
 * decision is queued once even if this is called twice.
 */
export async function noticeOfRegistrationDecision(
  tx: Queryable,
  topics: Topics,
  d: { sale: Sale; before: Registration; decisionId: string },
): Promise<void> {
  const after = await loadRegistration(tx, d.sale.id, d.before.bidderId);
  if (after === undefined || after.status === d.before.status || !isDecision(after.status)) return;
  await enqueue(tx, {
    topic: topics.bidder(after.bidderId),
    type: `registration.${after.status}`,
    dedupeKey: `registration:${d.sale.id}:${after.bidderId}:${after.status}:${d.decisionId}`,
    correlationId: d.decisionId,
    payload: {
      bidderId: after.bidderId,
      saleId: d.sale.id,
      saleTitle: d.sale.title,
      status: after.status,
      paddle: after.paddle ?? null,
      currency: d.sale.currency,
      limit: after.limit === undefined ? null : formatAmount(after.limit, d.sale.currency),
    } satisfies RegistrationDecisionEvent,
  });
}

/** "EUR 3,000.00" from a decimal string; the raw text if it does not parse. */
function shownAmount(amount: string, currency: string): string {
  if (amount === '') return '';
  try {
    return displayAmount(parseAmount(amount, currency), currency);
  } catch {
    return `${amount} ${currency}`;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The email / SMS / WhatsApp text of a registration decision; undefined for other notifications. */
export function registrationMessage(
  type: string,
  p: Record<string, unknown>,
): { subject: string; text: string } | undefined {
  const sale = str(p.saleTitle) || str(p.saleId);
  switch (type) {
    case 'registration.approved': {
      const limit = shownAmount(str(p.limit), str(p.currency));
      return {
        subject: `You are approved to bid: ${sale}`,
        text:
          `The auction house approved your registration for ${sale}. ` +
          `Your paddle is ${str(p.paddle) || 'given at the sale'}` +
          (limit === '' ? '. ' : `, your limit ${limit}. `) +
          'You can bid online now.',
      };
    }
    case 'registration.declined':
      return {
        subject: `Your registration for ${sale}`,
        text: `The auction house did not approve your registration for ${sale}. You may contact the house about it.`,
      };
    case 'registration.revoked':
      return {
        subject: `Your registration for ${sale} was withdrawn`,
        text: `The auction house withdrew your approval to bid in ${sale}. You may contact the house about it.`,
      };
    default:
      return undefined;
  }
}
