/** The gateway's error handling is the shared one (common/http-errors.ts); raw body reading from common/http-body.ts. */
export { errorHandler } from '../../common/http-errors.ts';
export { MAX_JSON_BYTES, parseJson, readBodyText, readJson } from '../../common/http-body.ts';
