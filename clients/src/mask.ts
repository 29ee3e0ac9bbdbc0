import { saleMaskResponseSchema } from '../../common/contracts/index.ts';
import { api, type Session } from './api.ts';

/**
 * The public pseudonym the engine shows for this bidder on a sale (`Bidder 3F2A9C`), from the
 * gateway (GET /v1/sales/{id}/me): the masks are keyed with a server secret, so the page cannot
 * compute its own — it asks, to recognise itself among masked leaders. Nobody else's is known to it.
 */
export async function ownMask(saleId: string, session: Session): Promise<string> {
  const me = await api(`/v1/sales/${encodeURIComponent(saleId)}/me`, saleMaskResponseSchema, {
    token: session.token,
  });
  return me.mask;
}
