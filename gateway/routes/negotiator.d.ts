/**
 * negotiator 1.x, the part Gavel uses (its DefinitelyTyped types describe 0.6, without the
 * `preferred` order that breaks ties between encodings the client ranks equally).
 */
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | undefined> });
    /** The best of `available` for the request's Accept-Encoding; ties go to `preferred`'s order. */
    encoding(available: readonly string[], options?: { preferred?: readonly string[] }): string | undefined;
    /** The best of `available` for the request's Accept-Language (`fr` matches `fr-FR`), undefined when none is acceptable. */
    language(available: readonly string[]): string | undefined;
  }
}
