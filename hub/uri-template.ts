/**
 * RFC 6570 URI templates compiled to anchored regular expressions, for topic selectors.
 *
 * Written here because the npm matchers we tried are wrong in ways that matter for
 * authorisation: uri-template-matcher 1.1.2 lets `/a{/x}{/y}` match `/a/1/2/3/4` (a selector
 * would grant more topics than it names) and fails `…{/topic}{/subscriber}` on the bare path.
 * Every operator of level 4 is supported, with `:prefix` and `*` explode modifiers. Undefined
 * variables are allowed (their expansion is empty), as RFC 6570 expansion allows.
 */
export class UriTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
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

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function parseVar(spec: string, template: string): VarSpec {
  let name = spec;
  let explode = false;
  let prefix: number | undefined;
  if (name.endsWith('*')) {
    explode = true;
    name = name.slice(0, -1);
  } else {
    const m = /^(.*):([1-9]\d{0,3})$/.exec(name);
    if (m !== null) {
      name = m[1]!;
      prefix = Number(m[2]);
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

function expressionPattern(body: string, template: string): string {
  const opChar = /^[+#./;?&]/.test(body) ? body[0]! : '';
  if (/^[=,!@|]/.test(body)) throw new UriTemplateError(`reserved operator "${body[0]!}" in "${template}"`);
  const op = OPERATORS[opChar]!;
  const specs = body
    .slice(opChar.length)
    .split(',')
    .map((s) => parseVar(s, template));
  if (specs.length === 0) throw new UriTemplateError(`empty expression in "${template}"`);
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
  return pattern;
}

/** Compiles a template to an anchored RegExp; throws UriTemplateError on a malformed template. */
export function compileUriTemplate(template: string): RegExp {
  let pattern = '^';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open))
      throw new UriTemplateError(`unmatched "}" in "${template}"`);
    if (open === -1) {
      pattern += escape(template.slice(i));
      break;
    }
    pattern += escape(template.slice(i, open));
    const end = template.indexOf('}', open);
    if (end === -1) throw new UriTemplateError(`unclosed "{" in "${template}"`);
    const body = template.slice(open + 1, end);
    if (body === '' || body.includes('{'))
      throw new UriTemplateError(`malformed expression "{${body}}" in "${template}"`);
    pattern += expressionPattern(body, template);
    i = end + 1;
  }
  return new RegExp(`${pattern}$`);
}
