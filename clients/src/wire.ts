/** Checks what enters the page (HTTP answers, SSE data) against its contract. */
import './jitless.ts';
import type * as z from 'zod/mini';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The value as its contract types it, or what is wrong with it (the first issue, with its path). */
export function parseWire<S extends z.ZodMiniType>(schema: S, data: unknown): Parsed<z.infer<S>> {
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues[0];
  const where = first === undefined || first.path.length === 0 ? 'body' : first.path.join('.');
  return { ok: false, problem: `${where}: ${first?.message ?? 'invalid'}` };
}
