import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type Config } from '../../src/config/schema';
import { normalizeRobotKey, resolveSecretFiles } from '../../src/config/secret-files';

/** configOf builds a schema-validated config (defaults applied) from a small input. */
function configOf(input: unknown): Config {
  return configSchema.parse(input);
}

describe('resolveSecretFiles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-secrets-'));
    writeFileSync(join(dir, 'robot.key'), 'robot-key-1\n');
    writeFileSync(join(dir, 'robot.url'), 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=url-key\n');
    writeFileSync(join(dir, 'pasted.key'), 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=pasted-1\n');
    writeFileSync(join(dir, 'app.secret'), '  app-secret-1  \n');
    writeFileSync(join(dir, 'tokens'), 'token-one-11111111\r\n\r\n  token-two-22222222\n');
    writeFileSync(join(dir, 'password'), 'pa55word\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every *_file variant relative to baseDir, trimmed', () => {
    const config = configOf({
      server: { auth: { bearer_tokens: ['inline-token-0000'], bearer_tokens_file: 'tokens', basic: { username: 'ops', password_file: 'password' } } },
      receivers: [
        { name: 'a', robot: { key_file: 'robot.key' } },
        { name: 'b', robot: { url_file: 'robot.url' } },
        { name: 'c', app: { corp_id: 'ww1', secret_file: 'app.secret', agent_id: 1, to_user: 'u' } },
      ],
      route: { receiver: 'a' },
    });
    expect(resolveSecretFiles(config, dir)).toEqual([]);
    expect(config.receivers[0].robot?.key).toBe('robot-key-1');
    expect(config.receivers[1].robot?.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=url-key');
    expect(config.receivers[2].app?.secret).toBe('app-secret-1');
    expect(config.server.auth?.bearer_tokens).toEqual(['inline-token-0000', 'token-one-11111111', 'token-two-22222222']);
    expect(config.server.auth?.basic?.password).toBe('pa55word');
  });

  it('accepts absolute paths', () => {
    const config = configOf({ receivers: [{ name: 'a', robot: { key_file: join(dir, 'robot.key') } }], route: { receiver: 'a' } });
    expect(resolveSecretFiles(config, '/nonexistent')).toEqual([]);
    expect(config.receivers[0].robot?.key).toBe('robot-key-1');
  });

  it('normalizes a key file that holds the whole webhook URL', () => {
    const config = configOf({ receivers: [{ name: 'a', robot: { key_file: 'pasted.key' } }], route: { receiver: 'a' } });
    resolveSecretFiles(config, dir);
    expect(config.receivers[0].robot?.key).toBe('pasted-1');
  });

  it('returns every unreadable file as a [path, message] pair', () => {
    const config = configOf({
      server: { auth: { bearer_tokens_file: 'nope-tokens', basic: { username: 'ops', password_file: 'nope-password' } } },
      receivers: [
        { name: 'a', robot: { key_file: 'nope.key' } },
        { name: 'b', robot: { url_file: 'nope.url' } },
        { name: 'c', app: { corp_id: 'ww1', secret_file: 'nope.secret', agent_id: 1, to_party: '1' } },
      ],
      route: { receiver: 'a' },
    });
    expect(resolveSecretFiles(config, dir)).toEqual([
      ['receivers[0].robot.key_file', 'cannot read nope.key: ENOENT'],
      ['receivers[1].robot.url_file', 'cannot read nope.url: ENOENT'],
      ['receivers[2].app.secret_file', 'cannot read nope.secret: ENOENT'],
      ['server.auth.bearer_tokens_file', 'cannot read nope-tokens: ENOENT'],
      ['server.auth.basic.password_file', 'cannot read nope-password: ENOENT'],
    ]);
    expect(config.server.auth?.bearer_tokens).toEqual([]);
  });

  it('reports a directory given as a file', () => {
    const config = configOf({ receivers: [{ name: 'a', robot: { key_file: '.' } }], route: { receiver: 'a' } });
    expect(resolveSecretFiles(config, dir)).toEqual([['receivers[0].robot.key_file', 'cannot read .: EISDIR']]);
  });
});

describe('normalizeRobotKey', () => {
  it.each<[string, string]>([
    ['abc-123', 'abc-123'],
    ['  abc-123\n', 'abc-123'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123', 'abc-123'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123&debug=1', 'abc-123'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?debug=1&key=abc-123', 'abc-123'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a%2Bb', 'a+b'],
    ['?key=only', 'only'],
  ])('%j → %j', (input, key) => {
    expect(normalizeRobotKey(input)).toBe(key);
  });
});
