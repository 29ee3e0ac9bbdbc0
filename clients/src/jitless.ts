/**
 * The pages run under a Content-Security-Policy without 'unsafe-eval'. zod decides when a schema is
 * built whether to compile its checks with `Function` (and probing for it is itself a CSP violation),
 * so this module must run before any contract schema is built: each page imports it first.
 */
import { z } from 'zod';

z.config({ jitless: true });
