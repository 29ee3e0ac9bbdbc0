/**
 * Who may see a sale (docs/invite-only.md): a public sale, everyone; an invite-only one, staff and
 * the bidders the house invited. A bidder is invited when a live (unrevoked) invitation names their
 * account's address (whatever its case), or when they hold a live registration for the sale (the
 * house registered them: that is an invitation too). A bidder's id is their account's id.
 */
import { isStaff, type Viewer } from '../../common/catalogue.ts';
import type { Topics } from '../../common/topics.ts';
import type { Queryable } from '../ledger/db.ts';

/**
 * The SQL condition "the sale `alias` is visible", with the parameters it needs appended after
 * `first - 1` others: `$first` whether the viewer is staff, `$first+1` the bidder's id (or null).
 */
export function visibleTo(
  alias: string,
  viewer: Viewer | undefined,
  first: number,
): { sql: string; params: [boolean, string | null] } {
  const staff = `$${first}::boolean`;
  const bidder = `$${first + 1}::text`;
  return {
    sql: `(${alias}.visibility = 'public' OR ${staff} OR (${bidder} IS NOT NULL AND (
            EXISTS (SELECT 1 FROM sale_invitations i JOIN accounts a ON lower(a.email) = lower(i.email)
                     WHERE i.sale_id = ${alias}.id AND i.revoked_at IS NULL AND a.id = ${bidder} AND a.status = 'active')
         OR EXISTS (SELECT 1 FROM registrations r
                     WHERE r.sale_id = ${alias}.id AND r.bidder_id = ${bidder} AND r.status IN ('pending', 'approved')))))`,
    params: [isStaff(viewer), viewer?.role === 'bidder' ? viewer.id : null],
  };
}

/** May `viewer` see sale `saleId` (whatever its status)? False for a sale that does not exist. */
export async function maySee(q: Queryable, saleId: string, viewer: Viewer | undefined): Promise<boolean> {
  const v = visibleTo('s', viewer, 2);
  const rows = await q.query(`SELECT 1 FROM sales s WHERE s.id = $1 AND ${v.sql}`, [saleId, ...v.params]);
  return rows.length > 0;
}

/**
 * Is bidder `bidderId` invited to sale `saleId` (a live invitation to their account's address)?
 * Register-to-bid asks this before it lets a bidder register for an invite-only sale.
 */
export async function isInvited(q: Queryable, saleId: string, bidderId: string): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM sale_invitations i JOIN accounts a ON lower(a.email) = lower(i.email)
      WHERE i.sale_id = $1 AND a.id = $2 AND i.revoked_at IS NULL AND a.status = 'active' LIMIT 1`,
    [saleId, bidderId],
  );
  return rows.length > 0;
}

/**
 * The SQL condition "this outbox row's topic is an invite-only sale's sale or auction topic": the
 * notifications published there (a lot opened, closed, its result, the sale cancelled) go out as
 * private updates, like the engine's, so only staff and the invited receive them (live or
 * replayed). Evaluated in the outbox's claim query, so no notice waits on a look-up of its own.
 * Sale and lot ids are letters, digits, `.`, `_` and `-` (the admin API's rule): their topics are
 * the prefix and the id as they stand.
 */
export function invitedOnlyTopicSql(topics: Topics): string {
  const literal = (v: string): string => `'${v.replace(/'/g, "''")}'`;
  return `(EXISTS (SELECT 1 FROM sales s WHERE s.visibility = 'invite_only'
             AND outbox_events.topic = ${literal(topics.sale(''))} || s.id)
        OR EXISTS (SELECT 1 FROM lots l JOIN sales s ON s.id = l.sale_id WHERE s.visibility = 'invite_only'
             AND outbox_events.topic = ${literal(topics.auction(''))} || l.id))`;
}
