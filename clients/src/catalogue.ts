/** The sale catalogue as the pages read it (GET /v1/sales[/{id}]). */
import {
  saleListResponseSchema,
  saleResponseSchema,
  type SaleCatalogue,
  type SaleSummary,
} from '../../common/contracts/index.ts';
import { api } from './api.ts';

export async function fetchSales(): Promise<SaleSummary[]> {
  return (await api('/v1/sales', saleListResponseSchema)).sales;
}

export async function fetchSale(id: string): Promise<SaleCatalogue> {
  return (await api(`/v1/sales/${encodeURIComponent(id)}`, saleResponseSchema)).sale;
}
