import { Hono } from 'hono';
import type { HouseRates } from '../../common/contracts/index.ts';

/** GET /v1/rates: the house's display rates (public: they are for the room screen and carry nothing confidential). */
export function rateRoutes(rates: HouseRates | undefined): Hono {
  const app = new Hono();
  app.get('/v1/rates', (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(rates ?? { base: '', rates: {}, note: 'no rates configured (HOUSE_RATES)' });
  });
  return app;
}
