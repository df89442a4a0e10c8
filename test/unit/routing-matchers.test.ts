import { formatMatcher, makeMatcher, matches, matchesAll, MatcherSyntaxError, parseMatchers, type MatchOp } from '../../src/routing/matchers';

/** parsed renders matchers as [name, op, value] triples for compact tables. */
const parsed = (input: string) => parseMatchers(input).map(({ name, op, value }) => [name, op, value]);

describe('parseMatchers', () => {
  it.each<[string, string[][]]>([
    ['severity="critical"', [['severity', '=', 'critical']]],
    ['severity!="info"', [['severity', '!=', 'info']]],
    ['team=~"db|dba"', [['team', '=~', 'db|dba']]],
    ['team!~"front.*"', [['team', '!~', 'front.*']]],
    ['team=dba', [['team', '=', 'dba']]],
    ['severity = critical', [['severity', '=', 'critical']]],
    ['team=~db|dba', [['team', '=~', 'db|dba']]],
    ['env=', [['env', '=', '']]],
    ['env=""', [['env', '=', '']]],
    ['a="1",b!="2"', [['a', '=', '1'], ['b', '!=', '2']]],
    ['a=1, b=2', [['a', '=', '1'], ['b', '=', '2']]],
    ['{a="b",c!="d"}', [['a', '=', 'b'], ['c', '!=', 'd']]],
    ['  {  a = "1" , b =~ "x|y" }  ', [['a', '=', '1'], ['b', '=~', 'x|y']]],
    ['a="x",', [['a', '=', 'x']]],
    ['msg="a, b"', [['msg', '=', 'a, b']]],
    ['msg="say \\"hi\\""', [['msg', '=', 'say "hi"']]],
    ['path="C:\\\\data"', [['path', '=', 'C:\\data']]],
    ['re=~"\\\\d+"', [['re', '=~', '\\d+']]],
    ['text="line\\nnext\\ttab"', [['text', '=', 'line\nnext\ttab']]],
    ['title="磁盘空间不足"', [['title', '=', '磁盘空间不足']]],
    ['_private="1"', [['_private', '=', '1']]],
  ])('%s', (input, expected) => {
    expect(parsed(input)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['', 'empty matcher ""'],
    ['{}', 'empty matcher "{}"'],
    ['=x', 'expected a label name at "=x" in "=x"'],
    ['1a="x"', 'expected a label name at "1a=\\"x\\"" in "1a=\\"x\\""'],
    ['a~x', 'expected one of = != =~ !~ after "a" in "a~x"'],
    ['a', 'expected one of = != =~ !~ after "a" in "a"'],
    ['a="x', 'unterminated quoted value in "a=\\"x"'],
    ['{a="x"', 'missing closing "}" in "{a=\\"x\\""'],
    ['a="x" b="y"', 'expected "," before "b=\\"y\\"" in "a=\\"x\\" b=\\"y\\""'],
    ['a="x",,b="y"', 'expected a label name at ",b=\\"y\\"" in "a=\\"x\\",,b=\\"y\\""'],
    ['a=~"("', 'invalid regex "(" for "a": Invalid regular expression: /^(?:()$/s: Unterminated group'],
  ])('rejects %j', (input, message) => {
    expect(() => parseMatchers(input)).toThrow(MatcherSyntaxError);
    expect(() => parseMatchers(input)).toThrow(message);
  });
});

describe('matches', () => {
  const labels = { alertname: 'DiskFull', severity: 'critical', team: 'dba', instance: 'web-01:9100', multi: 'a\nb' };

  it.each<[string, MatchOp, string, boolean]>([
    ['severity', '=', 'critical', true],
    ['severity', '=', 'Critical', false],
    ['severity', '!=', 'critical', false],
    ['severity', '!=', 'warning', true],
    ['team', '=~', 'db|dba', true],
    ['team', '=~', 'db', false], // anchored: "db" does not match "dba"
    ['team', '=~', 'd', false],
    ['team', '=~', 'd.*', true],
    ['team', '!~', 'front.*', true],
    ['team', '!~', 'db.*', false],
    ['instance', '=~', 'web-\\d+:9100', true],
    ['instance', '=~', 'web-01', false], // anchored at the end too
    ['multi', '=~', 'a.b', true], // dot matches a newline (Go's (?s))
    // a missing label is the empty string
    ['cluster', '=', '', true],
    ['cluster', '!=', '', false],
    ['cluster', '=', 'prod', false],
    ['cluster', '!=', 'prod', true],
    ['cluster', '=~', '.*', true],
    ['cluster', '=~', '.+', false],
    ['cluster', '!~', '.+', true],
    ['team', '=', '', false],
  ])('%s %s %j → %s', (name, op, value, expected) => {
    expect(matches(makeMatcher(name, op, value), labels)).toBe(expected);
  });

  it('treats the regex alternation as one anchored group', () => {
    const matcher = makeMatcher('team', '=~', 'db|dba');
    expect(['db', 'dba', 'xdb', 'dbax', 'db|dba'].map((team) => matches(matcher, { team }))).toEqual([true, true, false, false, false]);
  });
});

describe('matchesAll', () => {
  it.each<[string, Record<string, string>, boolean]>([
    ['severity="critical", team="dba"', { severity: 'critical', team: 'dba' }, true],
    ['severity="critical", team="dba"', { severity: 'critical', team: 'web' }, false],
    ['{source="grafana", env!="dev"}', { source: 'grafana' }, true],
    ['{source="grafana", env!="dev"}', { source: 'grafana', env: 'dev' }, false],
  ])('%s on %j → %s', (input, labels, expected) => {
    expect(matchesAll(parseMatchers(input), labels)).toBe(expected);
  });

  it('is true for an empty list', () => {
    expect(matchesAll([], {})).toBe(true);
  });
});

describe('formatMatcher', () => {
  it.each<[string, string]>([
    ['a="b"', 'a="b"'],
    ['team=~db|dba', 'team=~"db|dba"'],
    ['msg!="say \\"hi\\""', 'msg!="say \\"hi\\""'],
    ['x!~ "\\\\d"', 'x!~"\\\\d"'],
  ])('%s prints as %s', (input, output) => {
    expect(formatMatcher(parseMatchers(input)[0])).toBe(output);
  });

  it('prints what parses back to the same matcher', () => {
    const original = parseMatchers('msg="tab\\there, \\"quoted\\" \\\\ back"')[0];
    const again = parseMatchers(formatMatcher(original))[0];
    expect(again.value).toBe(original.value);
  });
});
