import { compileUriTemplate, UriTemplateError } from './uri-template.ts';

/**
 * Topic selectors (Mercure): `*` matches every topic, a string without `{` matches that exact
 * topic, and anything else is an RFC 6570 URI template matched against the topic.
 * Compiled templates and match results are cached (bounded), since the same few selectors
 * are checked against the same few topics for every update.
 */
export type SelectorKind = 'all' | 'exact' | 'template';

export function selectorKind(selector: string): SelectorKind {
  if (selector === '*') return 'all';
  return selector.includes('{') || selector.includes('}') ? 'template' : 'exact';
}

const CACHE_LIMIT = 10_000;
const compiled = new Map<string, RegExp | null>();
const results = new Map<string, boolean>();

function compile(template: string): RegExp | null {
  let m = compiled.get(template);
  if (m !== undefined) return m;
  try {
    m = compileUriTemplate(template);
  } catch {
    m = null;
  }
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(template, m);
  return m;
}

/** Returns a reason when the selector can never match (an invalid URI template), else undefined. */
export function selectorError(selector: string): string | undefined {
  if (selector === '') return 'empty topic selector';
  if (selectorKind(selector) !== 'template') return undefined;
  try {
    compileUriTemplate(selector);
    return undefined;
  } catch (err) {
    if (err instanceof UriTemplateError) return `invalid URI template: ${err.message}`;
    throw err;
  }
}

export function matchSelector(selector: string, topic: string): boolean {
  if (selector === '*' || selector === topic) return true;
  if (selectorKind(selector) !== 'template') return false;
  // Length-prefixed: with a separator, ("T", "a\0b") and ("T\0a", "b") shared one cache entry,
  // so a pair's answer depended on which was asked first (both strings come from clients).
  const key = `${selector.length}:${selector}${topic}`;
  const hit = results.get(key);
  if (hit !== undefined) return hit;
  const m = compile(selector);
  // Matching is on the raw topic (no percent-decoding), so a malformed escape such as "%" simply
  // does not match instead of throwing in the middle of a dispatch.
  const ok = m !== null && m.test(topic);
  if (results.size >= CACHE_LIMIT) results.clear();
  results.set(key, ok);
  return ok;
}

/** True when any selector matches any topic. */
export function matchAny(selectors: readonly string[], topics: readonly string[]): boolean {
  for (const s of selectors) for (const t of topics) if (matchSelector(s, t)) return true;
  return false;
}

/** The first topic no selector matches (a publisher needs every topic covered), or undefined. */
export function firstUncoveredTopic(
  selectors: readonly string[],
  topics: readonly string[],
): string | undefined {
  for (const t of topics) if (!selectors.some((s) => matchSelector(s, t))) return t;
  return undefined;
}
