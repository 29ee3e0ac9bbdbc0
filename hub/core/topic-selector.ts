import { compileUriTemplate, UriTemplateError, type UriTemplate } from './uri-template.ts';

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

/** What a client's own selector (a `topic` query parameter) may be; claims in signed tokens are not held to it. */
export interface SelectorLimits {
  /** Characters in one selector. */
  maxLength: number;
  /** Template variables in one selector (`{a,b}{/c}` has 3). */
  maxVariables: number;
}

export type SelectorProblemCode =
  'INVALID_TOPIC_SELECTOR' | 'TOPIC_SELECTOR_TOO_LONG' | 'TOPIC_SELECTOR_TOO_COMPLEX';

export interface SelectorProblem {
  code: SelectorProblemCode;
  message: string;
}

const CACHE_LIMIT = 10_000;
/**
 * Longer (selector, topic) pairs are matched every time rather than cached: they are rare (long
 * subscription-event topics), and 10,000 of them could hold tens of megabytes.
 */
const MAX_CACHED_KEY = 512;
const compiled = new Map<string, UriTemplate | UriTemplateError>();
const results = new Map<string, boolean>();

function compile(template: string): UriTemplate | UriTemplateError {
  let m = compiled.get(template);
  if (m !== undefined) return m;
  try {
    m = compileUriTemplate(template);
  } catch (err) {
    if (!(err instanceof UriTemplateError)) throw err;
    m = err;
  }
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(template, m);
  return m;
}

/** Returns why the selector is refused (malformed, or over the limits), else undefined. */
export function selectorError(selector: string, limits?: SelectorLimits): SelectorProblem | undefined {
  if (selector === '') return { code: 'INVALID_TOPIC_SELECTOR', message: 'empty topic selector' };
  if (limits !== undefined && selector.length > limits.maxLength)
    return {
      code: 'TOPIC_SELECTOR_TOO_LONG',
      message: `a topic selector is ${selector.length} characters long; this hub allows at most ${limits.maxLength} (MERCURE_MAX_TOPIC_LENGTH)`,
    };
  if (selectorKind(selector) !== 'template') return undefined;
  const m = compile(selector);
  if (m instanceof UriTemplateError)
    return {
      code: m.code === 'TOO_COMPLEX' ? 'TOPIC_SELECTOR_TOO_COMPLEX' : 'INVALID_TOPIC_SELECTOR',
      message: `invalid URI template: ${m.message}`,
    };
  if (limits !== undefined && m.variables > limits.maxVariables)
    return {
      code: 'TOPIC_SELECTOR_TOO_COMPLEX',
      message: `the URI template "${selector}" has ${m.variables} variables; this hub allows at most ${limits.maxVariables} per selector (MERCURE_MAX_TEMPLATE_EXPRESSIONS)`,
    };
  return undefined;
}

export function matchSelector(selector: string, topic: string): boolean {
  if (selector === '*' || selector === topic) return true;
  if (selectorKind(selector) !== 'template') return false;
  const m = compile(selector);
  // An invalid template matches nothing; every match starts with the literal prefix and ends with
  // the literal suffix (most topics are refused there, before the engine runs).
  if (m instanceof UriTemplateError || !topic.startsWith(m.prefix) || !topic.endsWith(m.suffix)) return false;
  // Length-prefixed: with a separator, ("T", "a\0b") and ("T\0a", "b") shared one cache entry,
  // so a pair's answer depended on which was asked first (both strings come from clients).
  const cacheable = selector.length + topic.length <= MAX_CACHED_KEY;
  const key = `${selector.length}:${selector}${topic}`;
  if (cacheable) {
    const hit = results.get(key);
    if (hit !== undefined) return hit;
  }
  // Matching is on the raw topic (no percent-decoding), so a malformed escape such as "%" simply
  // does not match instead of throwing in the middle of a dispatch.
  const ok = m.test(topic);
  if (cacheable) {
    if (results.size >= CACHE_LIMIT) results.clear();
    results.set(key, ok);
  }
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

/**
 * Whether the selector could match some topic that starts with `prefix` (an over-approximation:
 * true may still match nothing; false never matches any). A template matches only topics that
 * start with its literal prefix, so it can reach the prefix's topics only if one of the two
 * prefixes extends the other.
 */
export function mayMatchUnder(selector: string, prefix: string): boolean {
  const kind = selectorKind(selector);
  if (kind === 'all') return true;
  if (kind === 'exact') return selector.startsWith(prefix);
  const m = compile(selector);
  if (m instanceof UriTemplateError) return false;
  return prefix.startsWith(m.prefix) || m.prefix.startsWith(prefix);
}
