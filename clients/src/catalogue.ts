/**
 * The sale catalogue as the pages read it (GET /v1/sales[/{id}]), as the signed-in user may see it:
 * an invite-only sale is only in staff's and the invited bidders' catalogue.
 */
import {
  saleListResponseSchema,
  saleResponseSchema,
  saleSnapshotResponseSchema,
  type SaleCatalogue,
  type SaleSnapshotResponse,
  type SaleSummary,
} from '../../common/contracts/index.ts';
import { api } from './api.ts';

export async function fetchSales(token?: string): Promise<SaleSummary[]> {
  return (await api('/v1/sales', saleListResponseSchema, { token })).sales;
}

export async function fetchSale(id: string, token?: string): Promise<SaleCatalogue> {
  return (await api(`/v1/sales/${encodeURIComponent(id)}`, saleResponseSchema, { token })).sale;
}

/**
 * Every lot's live state of a sale in one request, and the sale's topic. Pages fetch it again once
 * their hub connection is open (its resume point is the whole topic: event ids are per lot).
 */
export async function fetchSaleSnapshot(id: string, token?: string): Promise<SaleSnapshotResponse> {
  return api(`/v1/sales/${encodeURIComponent(id)}/snapshot`, saleSnapshotResponseSchema, { token });
}
