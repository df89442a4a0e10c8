/**
 * Alertmanager-style label matchers: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
 * Regexes are fully anchored as in Alertmanager, and a missing label matches as the empty string,
 * so `team=""` selects alerts without a team. One string may hold several matchers separated by
 * commas, optionally inside `{…}` (the form amtool and the Alertmanager UI print).
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Anchored regex for `=~` / `!~`. */
  regex?: RegExp;
}

export class MatcherSyntaxError extends Error {}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

/** parseMatchers parses one matcher string (possibly several, comma separated) or throws MatcherSyntaxError. */
export function parseMatchers(input: string): Matcher[] {
  let text = input.trim();
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new MatcherSyntaxError(`missing closing "}" in ${JSON.stringify(input)}`);
    text = text.slice(1, -1).trim();
  }
  const matchers: Matcher[] = [];
  let rest = text;
  while (rest.length > 0) {
    const { matcher, remaining } = parseOne(rest, input);
    matchers.push(matcher);
    rest = remaining.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (rest.length > 0) throw new MatcherSyntaxError(`expected "," before ${JSON.stringify(rest)} in ${JSON.stringify(input)}`);
  }
  if (matchers.length === 0) throw new MatcherSyntaxError(`empty matcher ${JSON.stringify(input)}`);
  return matchers;
}

function parseOne(text: string, whole: string): { matcher: Matcher; remaining: string } {
  const nameMatch = NAME_RE.exec(text);
  if (!nameMatch) throw new MatcherSyntaxError(`expected a label name at ${JSON.stringify(text)} in ${JSON.stringify(whole)}`);
  const name = nameMatch[0];
  let rest = text.slice(name.length).trimStart();
  const op = (['=~', '!~', '!=', '='] as const).find((candidate) => rest.startsWith(candidate));
  if (!op) throw new MatcherSyntaxError(`expected one of = != =~ !~ after "${name}" in ${JSON.stringify(whole)}`);
  rest = rest.slice(op.length).trimStart();
  const { value, remaining } = rest.startsWith('"') ? readQuoted(rest, whole) : readBare(rest);
  return { matcher: makeMatcher(name, op, value), remaining };
}

function readQuoted(text: string, whole: string): { value: string; remaining: string } {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i];
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (ch === '"') {
      return { value, remaining: text.slice(i + 1) };
    } else {
      value += ch;
    }
  }
  throw new MatcherSyntaxError(`unterminated quoted value in ${JSON.stringify(whole)}`);
}

function readBare(text: string): { value: string; remaining: string } {
  const end = text.indexOf(',');
  const raw = end === -1 ? text : text.slice(0, end);
  return { value: raw.trim(), remaining: end === -1 ? '' : text.slice(end) };
}

/** makeMatcher builds a matcher, compiling the anchored regex; throws MatcherSyntaxError on a bad regex. */
export function makeMatcher(name: string, op: MatchOp, value: string): Matcher {
  if (op === '=~' || op === '!~') {
    try {
      return { name, op, value, regex: new RegExp(`^(?:${value})$`, 's') };
    } catch (err) {
      throw new MatcherSyntaxError(`invalid regex ${JSON.stringify(value)} for "${name}": ${(err as Error).message}`);
    }
  }
  return { name, op, value };
}

/** matches reports whether a label set satisfies one matcher (missing label = ""). */
export function matches(matcher: Matcher, labels: Record<string, string>): boolean {
  const actual = labels[matcher.name] ?? '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return matcher.regex!.test(actual);
    case '!~':
      return !matcher.regex!.test(actual);
  }
}

/** matchesAll reports whether every matcher holds (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((matcher) => matches(matcher, labels));
}

/** formatMatcher prints a matcher back in Alertmanager syntax. */
export function formatMatcher(matcher: Matcher): string {
  return `${matcher.name}${matcher.op}${JSON.stringify(matcher.value)}`;
}
