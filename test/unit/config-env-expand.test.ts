import { expandEnv, type EnvProblem } from '../../src/config/env-expand';

function expand(value: unknown, env: NodeJS.ProcessEnv) {
  const problems: EnvProblem[] = [];
  return { value: expandEnv(value, env, problems), problems };
}

describe('expandEnv', () => {
  const env = { KEY: 'k-123', EMPTY: '', HOST: 'db.example.cn', PORT: '3306' };

  it.each<[string, string]>([
    ['${KEY}', 'k-123'],
    ['prefix-${KEY}-suffix', 'prefix-k-123-suffix'],
    ['${HOST}:${PORT}', 'db.example.cn:3306'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${MISSING:-}', ''],
    ['${EMPTY:-used-when-empty}', 'used-when-empty'],
    ['${KEY:-ignored}', 'k-123'],
    ['${MISSING:-http://a:b@host/x}', 'http://a:b@host/x'],
    ['$${KEY}', '${KEY}'],
    ['cost $5 and $KEY', 'cost $5 and $KEY'],
    ['no variables', 'no variables'],
  ])('%s → %s', (input, output) => {
    expect(expand(input, env)).toEqual({ value: output, problems: [] });
  });

  it('expands inside nested maps and lists and keeps other scalars', () => {
    const input = { a: [{ b: '${KEY}' }, 3, true, null], c: { d: '${HOST}' } };
    expect(expand(input, env)).toEqual({ value: { a: [{ b: 'k-123' }, 3, true, null], c: { d: 'db.example.cn' } }, problems: [] });
  });

  it('reports each unset variable with the key path where it was used and leaves an empty string', () => {
    const { value, problems } = expand({ receivers: [{ robot: { key: '${ROBOT_KEY}' } }, { app: { secret: 'x${APP_SECRET}y' } }] }, env);
    expect(value).toEqual({ receivers: [{ robot: { key: '' } }, { app: { secret: 'xy' } }] });
    expect(problems).toEqual([
      { path: ['receivers', 0, 'robot', 'key'], message: 'environment variable ROBOT_KEY is not set' },
      { path: ['receivers', 1, 'app', 'secret'], message: 'environment variable APP_SECRET is not set' },
    ]);
  });

  it('treats a variable set to the empty string like an unset one (no default → problem)', () => {
    expect(expand('${EMPTY}', env).problems).toEqual([{ path: [], message: 'environment variable EMPTY is not set' }]);
  });

  it('does not let a value change the structure: the expanded text is never parsed again', () => {
    expect(expand({ key: '${V}' }, { V: 'a\nb: c' }).value).toEqual({ key: 'a\nb: c' });
  });
});
