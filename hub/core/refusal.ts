import { errorBody } from '../../common/errors.ts';
import { AuthError } from './auth.ts';

/** A refused hub request: status, stable code and reason, written as the JSON error body. */
export class HubRefusal extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.name = new.target.name;
  }
}

export function refusalFrom(err: unknown): HubRefusal | undefined {
  if (err instanceof HubRefusal) return err;
  if (err instanceof AuthError) return new HubRefusal(err.status, err.code, err.message);
  return undefined;
}

export function refusalHeaders(r: HubRefusal): Record<string, string> {
  const h: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  };
  if (r.status === 401)
    h['WWW-Authenticate'] =
      `Bearer realm="mercure", error="invalid_token", error_description="${r.message.replace(/["\\]/g, "'")}"`;
  return h;
}

export function refusalBody(r: HubRefusal): string {
  return JSON.stringify(errorBody(r.code, r.message));
}
