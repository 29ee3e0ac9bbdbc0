/**
 * Text a person writes for others to read — a hold message on every bidder's screen and the
 * floor console, a title in the catalogue. What they see must be what was written: one line of
 * visible characters, nothing that reorders it (bidi overrides: "‮00.001 RUE" shows as
 * "EUR 100.00"), hides in it (zero-width spaces and joiners, Hangul fillers), or breaks the line.
 */
import { z } from 'zod';

// Controls (C0, C1, DEL), formatting characters (bidi embeddings, overrides and isolates, the
// marks, zero-width space/joiners, word joiner, BOM, soft hyphen, tag characters…), lone surrogates,
// private use, line and paragraph separators, and the Hangul fillers (letters that draw nothing).
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/u;

/** The first character people would not see as written, as `U+202E`; undefined when there is none. */
export function hiddenCharacter(text: string): string | undefined {
  const m = HIDDEN.exec(text);
  return m === null ? undefined : `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A zod string of human text for others to read: trimmed, 1..`max` characters, and refused (naming
 * `field` and the character) when it holds a control, formatting or invisible character. `about`
 * says what the field is for, in the message when it is missing.
 */
export function humanText(field: string, max: number, about?: string): z.ZodType<string> {
  return (
    z
      .string({ error: about === undefined ? `${field} is required` : `${field} is required: ${about}` })
      // Before trimming: trim() drops some of them (U+FEFF) silently, and the sender should hear of it.
      .superRefine((text, ctx) => {
        const hidden = hiddenCharacter(text);
        if (hidden !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: `${field} contains ${hidden}, a control, formatting or invisible character: write one line of plain text`,
            abort: true,
          });
      })
      .trim()
      .min(1, `${field} must not be empty`)
      .max(max, `${field} must be at most ${max} characters`)
  );
}
