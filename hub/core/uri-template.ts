import { RE2JS } from 're2js';

/**
 * RFC 6570 URI templates as topic selectors: a template is translated into a regular expression
 * and matched by RE2 (re2js, a pure-JS port of RE2), which runs in time linear in the topic's
 * length for any pattern — it never backtracks.
 *
 * The translation used to be compiled to a JS RegExp. JS regexps backtrack, and a template's
 * expressions are optional groups of overlapping character sets: `{+v0}{+v1}{+v2}{+v3}{+v4}!`
 * (40 bytes, anonymous) took ~8 s to fail on one subscription announcement, and more expressions
 * took minutes, the whole process frozen meanwhile. With RE2 a mistake in the translation can make
 * a wrong answer, never a slow one; the hub's limits (template length, variables, program size)
 * bound the per-character cost.
 *
 * Written here because the npm matchers we tried are wrong in ways that matter for authorisation:
 * uri-template-matcher 1.1.2 lets `/a{/x}{/y}` match `/a/1/2/3/4` (a selector would grant more
 * topics than it names) and fails `…{/topic}{/subscriber}` on the bare path. Every operator of
 * level 4 is supported, with `:prefix` and `*` explode modifiers. Undefined variables are allowed
 * (their expansion is empty), as RFC 6570 expansion allows.
 */
export class UriTemplateError extends Error {
  /** MALFORMED: not an RFC 6570 template; TOO_COMPLEX: valid, but over the hub's matching limits. */
  readonly code: 'MALFORMED' | 'TOO_COMPLEX';
  constructor(message: string, code: 'MALFORMED' | 'TOO_COMPLEX' = 'MALFORMED') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A `:prefix` modifier compiles to a counted repetition, which RE2 unrolls: the RFC allows up to
 * 9999, RE2 at most 1000, and each unit costs instructions in every match. Topic selectors have no
 * use for long prefixes.
 */
const MAX_PREFIX = 32;
/**
 * RE2 instructions a template may compile to (the work per topic character is bounded by it).
 * A 1,024-character template with 8 plain variables compiles to about 1,200.
 */
const MAX_PROGRAM_SIZE = 2000;

/** A compiled template. */
export interface UriTemplate {
  readonly template: string;
  /** The literal text before the first expression: every topic the template matches starts with it. */
  readonly prefix: string;
  /** The literal text after the last expression: every topic the template matches ends with it. */
  readonly suffix: string;
  /** Variables over all expressions (`{a,b}{/c}` has 3). */
  readonly variables: number;
  /** True when the whole topic is an expansion of the template (linear time). */
  test(topic: string): boolean;
}

const PCT = '%[0-9A-Fa-f]{2}';
const UNRESERVED = `(?:[A-Za-z0-9\\-._~]|${PCT})`;
const RESERVED = `(?:[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=]|${PCT})`;
const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/;

interface VarSpec {
  name: string;
  explode: boolean;
  prefix: number | undefined;
}

interface Operator {
  first: string;
  sep: string;
  named: boolean;
  /** `;` omits `=` for an empty value; `?` and `&` keep it. */
  ifEmpty: string;
  allowReserved: boolean;
}

const OPERATORS: Record<string, Operator> = {
  '': { first: '', sep: ',', named: false, ifEmpty: '', allowReserved: false },
  '+': { first: '', sep: ',', named: false, ifEmpty: '', allowReserved: true },
  '#': { first: '#', sep: ',', named: false, ifEmpty: '', allowReserved: true },
  '.': { first: '.', sep: '.', named: false, ifEmpty: '', allowReserved: false },
  '/': { first: '/', sep: '/', named: false, ifEmpty: '', allowReserved: false },
  ';': { first: ';', sep: ';', named: true, ifEmpty: '', allowReserved: false },
  '?': { first: '?', sep: '&', named: true, ifEmpty: '=', allowReserved: false },
  '&': { first: '&', sep: '&', named: true, ifEmpty: '=', allowReserved: false },
};

/** Escapes a literal for RE2 syntax (every ASCII punctuation character may be escaped). */
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

function parseVar(spec: string, template: string): VarSpec {
  let name = spec;
  let explode = false;
  let prefix: number | undefined;
  if (name.endsWith('*')) {
    explode = true;
    name = name.slice(0, -1);
  } else {
    const colon = name.lastIndexOf(':');
    if (colon >= 0 && /^[1-9]\d{0,3}$/.test(name.slice(colon + 1))) {
      prefix = Number(name.slice(colon + 1));
      name = name.slice(0, colon);
      if (prefix > MAX_PREFIX)
        throw new UriTemplateError(
          `the prefix modifier ":${prefix}" in "${template}" is over the hub's limit of ${MAX_PREFIX}`,
          'TOO_COMPLEX',
        );
    }
  }
  if (!VARNAME.test(name)) throw new UriTemplateError(`invalid variable name "${name}" in "${template}"`);
  return { name, explode, prefix };
}

/** The pattern for one variable's value (not its separator), given the operator's character set. */
function valuePattern(op: Operator, v: VarSpec): string {
  const char = op.allowReserved ? RESERVED : UNRESERVED;
  if (v.prefix !== undefined) return `${char}{0,${v.prefix}}`;
  if (!v.explode) {
    // A list or map value expands to comma-separated items.
    const item = op.allowReserved ? char : `(?:${UNRESERVED}|,)`;
    return `${item}*`;
  }
  return `${char}*`;
}

function expressionPattern(body: string, template: string): { pattern: string; variables: number } {
  const opChar = /^[+#./;?&]/.test(body) ? body[0]! : '';
  if (/^[=,!@|]/.test(body)) throw new UriTemplateError(`reserved operator "${body[0]!}" in "${template}"`);
  const op = OPERATORS[opChar]!;
  const specs = body
    .slice(opChar.length)
    .split(',')
    .map((s) => parseVar(s, template));
  // Each variable may be undefined; the first defined one takes the operator's prefix, the rest the separator.
  const one = (v: VarSpec, lead: string): string => {
    const value = valuePattern(op, v);
    const item = op.named ? `${escape(v.name)}(?:=${value}|${op.ifEmpty === '=' ? '=' : ''})` : value;
    if (!v.explode) return `${escape(lead)}${item}`;
    // Exploded: repeated items, each led by the separator (named explodes carry their own keys).
    const exploded = op.named ? `(?:[A-Za-z0-9_.%\\-~]+(?:=${value})?)` : value;
    return `${escape(lead)}${exploded}(?:${escape(op.sep)}${exploded})*`;
  };
  let pattern = '';
  specs.forEach((v, i) => {
    const alternatives = i === 0 ? [one(v, op.first)] : [one(v, op.first), one(v, op.sep)];
    pattern += `(?:${[...new Set(alternatives)].join('|')})?`;
  });
  return { pattern, variables: specs.length };
}

/** The template as an anchored regular expression (RE2 syntax), with its literal prefix and variable count. */
function translateUriTemplate(template: string): {
  source: string;
  prefix: string;
  suffix: string;
  variables: number;
} {
  let pattern = '^';
  let prefix: string | undefined;
  let suffix = '';
  let variables = 0;
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open))
      throw new UriTemplateError(`unmatched "}" in "${template}"`);
    if (open === -1) {
      suffix = template.slice(i);
      pattern += escape(suffix);
      break;
    }
    prefix ??= template.slice(0, open);
    pattern += escape(template.slice(i, open));
    const end = template.indexOf('}', open);
    if (end === -1) throw new UriTemplateError(`unclosed "{" in "${template}"`);
    const body = template.slice(open + 1, end);
    if (body === '' || body.includes('{'))
      throw new UriTemplateError(`malformed expression "{${body}}" in "${template}"`);
    const e = expressionPattern(body, template);
    pattern += e.pattern;
    variables += e.variables;
    i = end + 1;
  }
  // Without an expression the whole template is both prefix and suffix.
  return {
    source: `${pattern}$`,
    prefix: prefix ?? template,
    suffix: prefix === undefined ? template : suffix,
    variables,
  };
}

/** Compiles a template for linear-time matching; throws UriTemplateError on a malformed or oversized template. */
export function compileUriTemplate(template: string): UriTemplate {
  const { source, prefix, suffix, variables } = translateUriTemplate(template);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    // The translation only emits valid syntax; this is a guard, named for whoever sees it.
    throw new UriTemplateError(
      `"${template}" cannot be compiled: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (re.programSize() > MAX_PROGRAM_SIZE)
    throw new UriTemplateError(
      `"${template}" is too complex to match (${re.programSize()} instructions; the hub's limit is ${MAX_PROGRAM_SIZE})`,
      'TOO_COMPLEX',
    );
  return { template, prefix, suffix, variables, test: (topic) => re.matches(topic) };
}
