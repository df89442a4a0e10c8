import { configSchema } from '../../src/config/schema';
import { receiverKind, receiverSchema } from '../../src/config/receivers-schema';

const base = { receivers: [{ name: 'ops', console: null }], route: { receiver: 'ops' } };

/** issuesOf lists `path: message` for a failing parse. */
function issuesOf(input: unknown): string[] {
  const result = configSchema.safeParse(input);
  if (result.success) throw new Error('expected the schema to fail');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('configSchema', () => {
  it('fills every section with its defaults', () => {
    const config = configSchema.parse(base);
    expect(config.server.listen).toBe('0.0.0.0:8090');
    expect(config.server.body_limit).toBe(1024 * 1024);
    expect(config.server.timezone).toBe('Asia/Shanghai');
    expect(config.server.auth).toBeUndefined();
    expect(config.wecom.api_base).toBe('https://qyapi.weixin.qq.com');
    expect(config.storage.path).toBe('./data');
    expect(config.storage.redis).toBeUndefined();
    expect(config.delivery.dedup_window).toBe(60_000);
    expect(config.delivery.retry.max_age).toBe(3_600_000);
  });

  it.each<[string, string]>([
    ['127.0.0.1:8090', '127.0.0.1:8090'],
    [':8090', ':8090'],
    ['[::1]:8090', '[::1]:8090'],
    ['localhost:80', 'localhost:80'],
  ])('accepts listen %s', (listen, expected) => {
    expect(configSchema.parse({ ...base, server: { listen } }).server.listen).toBe(expected);
  });

  it.each([['8090'], ['0.0.0.0'], ['host:port'], ['a b:1'], ['::1:8090']])('rejects listen %s', (listen) => {
    expect(issuesOf({ ...base, server: { listen } })).toEqual(['server.listen: use HOST:PORT, e.g. 0.0.0.0:8090']);
  });

  it.each([['Asia/Shanghai'], ['UTC'], ['America/New_York'], ['Europe/Berlin']])('accepts time zone %s', (timezone) => {
    expect(configSchema.parse({ ...base, server: { timezone } }).server.timezone).toBe(timezone);
  });

  it('fills storage.redis defaults and checks its URL', () => {
    expect(configSchema.parse({ ...base, storage: { redis: { url: 'redis://r:6379' } } }).storage.redis).toEqual({
      url: 'redis://r:6379',
      key_prefix: 'wecom-adapter:',
      lease: 30_000,
    });
    expect(issuesOf({ ...base, storage: { redis: { url: 'http://r' } } })).toEqual(['storage.redis.url: must start with redis:// or rediss://']);
  });

  it.each<[unknown, string[]]>([
    [{ wecom: { api_base: 'qyapi.weixin.qq.com' } }, ['wecom.api_base: must be an absolute http:// or https:// URL']],
    [{ wecom: { proxy: 'socks5://p:1080' } }, ['wecom.proxy: must be an absolute http:// or https:// URL']],
    [{ server: { log_level: 'verbose' } }, ['server.log_level: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"']],
    [{ delivery: { retry: { max_backof: '1m' } } }, ['delivery.retry: Unrecognized key: "max_backof"']],
  ])('rejects %j', (patch, expected) => {
    expect(issuesOf({ ...base, ...(patch as object) })).toEqual(expected);
  });

  it('defaults a digest template to "digest" and checks duplicate digest names', () => {
    const digest = { name: 'd', receiver: 'ops', schedule: '0 9 * * 1-5' };
    expect(configSchema.parse({ ...base, digests: [digest] }).digests[0].template).toBe('digest');
    expect(issuesOf({ ...base, digests: [digest, digest] })).toEqual(['digests.1.name: duplicate digest name "d"']);
  });
});

describe('receiverSchema', () => {
  it.each<[unknown, 'robot' | 'app' | 'console']>([
    [{ name: 'r', robot: { key: 'k' } }, 'robot'],
    [{ name: 'a', app: { corp_id: 'ww', secret: 's', agent_id: 1, to_user: '@all' } }, 'app'],
    [{ name: 'c', console: { msgtype: 'text' } }, 'console'],
    [{ name: 'c', console: null }, 'console'],
  ])('%j is a %s receiver', (input, kind) => {
    expect(receiverKind(receiverSchema.parse(input))).toBe(kind);
  });

  it.each<[unknown]>([[{ name: 'r', robot: { key: 'k', msgtype: 'textcard' } }], [{ name: 'c', console: { msgtype: 'news' } }], [{ name: 'a', app: { corp_id: 'ww', secret: 's', agent_id: 0, to_user: 'u' } }]])(
    'rejects %j',
    (input) => {
      expect(receiverSchema.safeParse(input).success).toBe(false);
    },
  );

  it('keeps robot rate_limit defaults when only one field is set', () => {
    expect(receiverSchema.parse({ name: 'r', robot: { key: 'k', rate_limit: { count: 5 } } }).robot?.rate_limit).toEqual({ count: 5, per: 60_000 });
  });

  it('turns the app safe flag 0/1 into a boolean', () => {
    const app = (safe: unknown) => receiverSchema.parse({ name: 'a', app: { corp_id: 'ww', secret: 's', agent_id: 1, to_user: 'u', safe } }).app?.safe;
    expect([app(1), app(0), app(true)]).toEqual([true, false, true]);
  });
});
