import { AuthError } from './auth.ts';

/**
 * A refused hub request: status, stable code and reason (the HTTP layer writes it as the JSON
 * error body, see http/errors.ts). A value, thrown or returned; never an unexpected failure.
 */
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

/** The refusal an error stands for (a HubRefusal, or a token check's AuthError), else undefined. */
export function refusalFrom(err: unknown): HubRefusal | undefined {
  if (err instanceof HubRefusal) return err;
  if (err instanceof AuthError) return new HubRefusal(err.status, err.code, err.message);
  return undefined;
}
