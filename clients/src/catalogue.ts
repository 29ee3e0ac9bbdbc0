/**
 * The sale catalogue as the pages read it (GET /v1/sales[/{id}]), as the signed-in user may see it:
 * an invite-only sale is only in staff's and the invited bidders' catalogue.
 */
import {
  saleListResponseSchema,
  saleResponseSchema,
  type SaleCatalogue,
  type SaleSummary,
} from '../../common/contracts/index.ts';
import { api } from './api.ts';

export async function fetchSales(token?: string): Promise<SaleSummary[]> {
  return (await api('/v1/sales', saleListResponseSchema, { token })).sales;
}

export async function fetchSale(id: string, token?: string): Promise<SaleCatalogue> {
  return (await api(`/v1/sales/${encodeURIComponent(id)}`, saleResponseSchema, { token })).sale;
}
