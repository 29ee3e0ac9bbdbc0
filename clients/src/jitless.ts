/**
 * The pages run under a Content-Security-Policy without 'unsafe-eval'. zod can compile object checks
 * with `Function` (and probing whether it may is itself a CSP violation); jitless mode never does.
 * It is read when a schema is built, so each page imports this module first.
 */
import { config } from 'zod/mini';

config({ jitless: true });
