/**
 * One error type for every service: a stable `code` from the catalogue (common/error-codes.ts) that
 * callers switch on, the HTTP status the catalogue gives it, a human message, optional structured
 * details, and the underlying `cause`. The JSON body is always `{ error: { code, message, details? } }`.
 */
import type { ErrorBody, ErrorDetails } from './contracts/error.ts';
import { statusOf, type ErrorCode } from './error-codes.ts';

export type { ErrorBody, ErrorDetails } from './contracts/error.ts';
export type { ErrorCode } from './error-codes.ts';

export interface AppErrorOptions {
  details?: ErrorDetails | undefined;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  /** The status is the catalogue's for `code`. */
  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = statusOf(code);
    this.code = code;
    this.details = options.details;
  }

  toBody(): ErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

export function errorBody(code: ErrorCode, message: string, details?: ErrorDetails): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}
