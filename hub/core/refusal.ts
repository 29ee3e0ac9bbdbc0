import { AppError, type AppErrorOptions, type ErrorCode } from '../../common/errors.ts';

/**
 * A refused hub request: an `AppError` whose code is in the catalogue's hub area (or a general one
 * such as NOT_FOUND) and whose status is the catalogue's (the HTTP layer writes it as the JSON
 * error body, with `WWW-Authenticate` on a 401, see http/errors.ts). A value, thrown or returned;
 * never an unexpected failure.
 */
export class HubRefusal extends AppError {
  /** The status is the catalogue's for `code` (AppError's legacy status-first form is not offered here). */
  constructor(code: ErrorCode, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

/** The refusal an error stands for (any AppError: a HubRefusal, a token check's AuthError), else undefined. */
export function refusalFrom(err: unknown): AppError | undefined {
  return err instanceof AppError ? err : undefined;
}
