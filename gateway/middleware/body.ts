import type { Context } from 'hono';
import { AppError } from '../../common/errors.ts';
import { parseJson, readBodyText } from '../../common/http-body.ts';

/** A JSON body, or none: the buttons without arguments (fair warning, hammer…) may send an empty body. */
export async function readJsonOrEmpty(c: Context): Promise<unknown> {
  const text = await readBodyText(c);
  if (text.trim() === '') return {};
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json'))
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  return parseJson(text);
}
