import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadConfigFile, parseConfigText, validateConfig } from '../../src/config/load';
import { ConfigError } from '../../src/config/errors';

const CONFIG_DIR = join(__dirname, '../fixtures/config');

/** problemsOf returns the ConfigError lines of a failing call (and fails the test if it does not throw one). */
function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const MINIMAL = 'receivers:\n  - name: ops\n    robot:\n      key: abc\nroute:\n  receiver: ops\n';

describe('loadConfigFile: one fixture per failure mode', () => {
  it.each<[string, string[]]>([
    ['robot-missing-key.yaml', ['receivers[0].robot.key: required (set one of: key, key_file, url, url_file)']],
    ['robot-key-and-url.yaml', ['receivers[0].robot.url: conflicts with key: set only one of key, key_file, url, url_file']],
    ['unknown-key.yaml', ['receivers[0].robot: unknown key "msgtyp"']],
    ['bad-duration.yaml', ['delivery.dedup_window: invalid duration "5 minutes" (use e.g. 500ms, 30s, 5m, 1h)']],
    [
      'bad-matcher.yaml',
      ['route.routes[0].matchers[0]: invalid regex "(critical" for "severity": Invalid regular expression: /^(?:(critical)$/s: Unterminated group'],
    ],
    ['unknown-receiver.yaml', ['route.routes[1].receiver: unknown receiver "x"']],
    ['duplicate-receiver.yaml', ['receivers[1].name: duplicate receiver name "ops" (also receivers[0])']],
    ['app-no-recipients.yaml', ['receivers[0].app.to_user: required (set at least one of: to_user, to_party, to_tag)']],
    ['app-no-secret.yaml', ['receivers[0].app.secret: required (set one of: secret, secret_file)']],
    ['bad-timezone.yaml', ['server.timezone: unknown time zone (use an IANA name such as Asia/Shanghai)']],
    ['bad-listen.yaml', ['server.listen: use HOST:PORT, e.g. 0.0.0.0:8090']],
    ['bad-cron.yaml', ['digests[0].schedule: invalid cron expression (e.g. "0 * * * *" hourly, "0 9 * * 1-5" workdays at 9:00)']],
    [
      'env-unset.yaml',
      [
        'receivers[0].robot.key: environment variable WECOM_TEST_UNSET_ROBOT_KEY is not set',
        // The empty expansion then also fails the schema: both lines name the same key.
        'receivers[0].robot.key: required (set one of: key, key_file, url, url_file)',
      ],
    ],
    ['key-file-missing.yaml', ['receivers[0].robot.key_file: cannot read secrets/does-not-exist.txt: ENOENT']],
    ['yaml-syntax.yaml', ['line 5, column 1: All mapping items must start at the same column']],
    ['empty.yaml', ['the config must be a YAML mapping with keys such as receivers and route']],
    ['top-level-list.yaml', ['the config must be a YAML mapping with keys such as receivers and route']],
  ])('%s', (file, expected) => {
    const problems = problemsOf(() => loadConfigFile(join(CONFIG_DIR, file), {}));
    expect(problems).toEqual(expected.map((line) => `${file}: ${line}`));
  });

  it('names an unreadable file with the path as given and the error code', () => {
    const missing = join(CONFIG_DIR, 'no-such-config.yaml');
    expect(problemsOf(() => loadConfigFile(missing, {}))).toEqual([`${missing}: cannot read: ENOENT`]);
  });

  it('reports every problem of a config at once', () => {
    const text = [
      'server: { listen: "x", timezone: Mars/Olympus }',
      'receivers:',
      '  - name: ops',
      '    robot: {}',
      '  - name: ops',
      '    console:',
      'route:',
      '  receiver: nobody',
    ].join('\n');
    expect(problemsOf(() => parseConfigText(text, 'config.yaml', CONFIG_DIR, {}))).toEqual([
      'config.yaml: server.listen: use HOST:PORT, e.g. 0.0.0.0:8090',
      'config.yaml: server.timezone: unknown time zone (use an IANA name such as Asia/Shanghai)',
      'config.yaml: receivers[0].robot.key: required (set one of: key, key_file, url, url_file)',
      'config.yaml: receivers[1].name: duplicate receiver name "ops" (also receivers[0])',
      'config.yaml: route.receiver: unknown receiver "nobody"',
    ]);
  });
});

describe('parseConfigText', () => {
  it.each<[string, string, string[]]>([
    ['duplicate map key', 'route:\n  receiver: ops\n  receiver: dba\n', ['line 3, column 3: Map keys must be unique']],
    ['tab indentation', 'receivers:\n  - name: ops\n    robot:\n\tkey: abc\n', ['line 4, column 1: Tabs are not allowed as indentation']],
    ['scalar document', 'just a string\n', ['the config must be a YAML mapping with keys such as receivers and route']],
    ['no receivers', 'route:\n  receiver: ops\n', ['receivers: required']],
    [
      'empty receivers',
      'receivers: []\nroute:\n  receiver: ops\n',
      ['receivers: at least one receiver is required', 'route.receiver: unknown receiver "ops"'],
    ],
    ['no route', 'receivers:\n  - name: ops\n    console:\n', ['route: required']],
    ['route without receiver', 'receivers:\n  - name: ops\n    console:\n\nroute: {}\n', ['route.receiver: required: the default receiver']],
    ['unknown top-level keys', `${MINIMAL}recievers: []\nroutes: []\n`, ['unknown keys "recievers", "routes"']],
    ['receiver of no kind', 'receivers:\n  - name: ops\nroute:\n  receiver: ops\n', ['receivers[0]: needs exactly one of: robot, app, console']],
    [
      'receiver of two kinds',
      'receivers:\n  - name: ops\n    robot: { key: abc }\n    console:\nroute:\n  receiver: ops\n',
      ['receivers[0].console: set only one of robot, app, console (found robot, console)'],
    ],
    [
      'receiver name with a space',
      'receivers:\n  - name: on call\n    console:\nroute:\n  receiver: on call\n',
      ['receivers[0].name: only letters, digits, "_", "-" and "." (it appears in URLs and metric labels)'],
    ],
    ['bad msgtype', 'receivers:\n  - name: ops\n    robot: { key: abc, msgtype: card }\nroute:\n  receiver: ops\n', [
      'receivers[0].robot.msgtype: must be one of "markdown", "markdown_v2", "text", "news", "template_card"',
    ]],
    ['bad body_limit', `server: { body_limit: 1TiB }\n${MINIMAL}`, ['server.body_limit: invalid size "1TiB" (use e.g. 1MiB, 512KiB or a number of bytes)']],
    [
      'receiver and receivers on one route',
      'receivers:\n  - name: ops\n    console:\nroute:\n  receiver: ops\n  receivers: [ops]\n',
      ['route.receivers: set either receiver or receivers, not both'],
    ],
    [
      'unknown receiver in a receivers list',
      'receivers:\n  - name: ops\n    console:\nroute:\n  receiver: ops\n  routes:\n    - receivers: [ops, dba]\n',
      ['route.routes[0].receivers[1]: unknown receiver "dba"'],
    ],
    [
      'digest to an unknown receiver',
      `${MINIMAL}digests:\n  - name: d\n    receiver: dba\n    schedule: "0 * * * *"\n`,
      ['digests[0].receiver: unknown receiver "dba"'],
    ],
    ['short bearer token', `server: { auth: { bearer_tokens: [short] } }\n${MINIMAL}`, ['server.auth.bearer_tokens[0]: too short: use at least 8 characters']],
    ['basic auth without password', `server: { auth: { basic: { username: ops } } }\n${MINIMAL}`, ['server.auth.basic.password: required (or password_file)']],
    ['allowed origin with a path', `server: { allowed_origins: ["https://grafana.example.cn/d/x"] }\n${MINIMAL}`, ['server.allowed_origins[0]: not an origin: use scheme://host[:port] without a path, e.g. https://grafana.example.cn']],
    ['trusted proxy that is not an address', `server: { trusted_proxies: [10.0.0.0/33] }\n${MINIMAL}`, ['server.trusted_proxies[0]: use an IP address, a CIDR range (10.0.0.0/8) or loopback, linklocal, uniquelocal']],
    ['throttle without failures', `server: { auth: { bearer_tokens: [long-enough-token], throttle: { max_failures: 0 } } }\n${MINIMAL}`, ['server.auth.throttle.max_failures: Too small: expected number to be >=1']],
    [
      'app duplicate_check_interval over 4h',
      'receivers:\n  - name: app\n    app: { corp_id: ww1, secret: s, agent_id: 1, to_tag: "1", duplicate_check_interval: 5h }\nroute:\n  receiver: app\n',
      ['receivers[0].app.duplicate_check_interval: at most 4h (WeCom limit)'],
    ],
    [
      'route template with a path',
      'receivers:\n  - name: ops\n    console:\nroute:\n  receiver: ops\n  template: ../etc/passwd\n',
      ['route.template: a template base name such as "dba" (file dba.md.hbs), no path'],
    ],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(() => parseConfigText(text, 'config.yaml', CONFIG_DIR, {}))).toEqual(expected.map((line) => `config.yaml: ${line}`));
  });

  it('prefixes every problem with the label it is given', () => {
    expect(problemsOf(() => parseConfigText('receivers: []\nroute: {receiver: a}\n', 'Dockerfile: config.yaml', CONFIG_DIR, {}))[0]).toMatch(
      /^Dockerfile: config\.yaml: receivers: /,
    );
  });

  it('applies the documented defaults', () => {
    const config = parseConfigText(MINIMAL, 'config.yaml', CONFIG_DIR, {});
    expect(config.server).toEqual({
      listen: '0.0.0.0:8090',
      body_limit: 1_048_576,
      kibana_body_limit: 16_777_216,
      timezone: 'Asia/Shanghai',
      ui: true,
      log_level: 'info',
      request_timeout: 30_000,
      allowed_origins: [],
      trusted_proxies: [],
    });
    expect(config.wecom).toEqual({ api_base: 'https://qyapi.weixin.qq.com', timeout: 10_000 });
    expect(config.storage).toEqual({ path: './data', history_max_size: 128 * 1024 * 1024 });
    expect(config.delivery).toEqual({
      dedup_window: 60_000,
      retry: { initial_backoff: 1_000, max_backoff: 300_000, max_age: 3_600_000, rate_limited_backoff: 60_000 },
      shutdown_grace: 10_000,
      history_retention: 604_800_000,
    });
    expect(config.receivers[0].robot).toEqual({
      key: 'abc',
      msgtype: 'markdown',
      mention: { users: [], mobiles: [], all: false },
      rate_limit: { count: 20, per: 60_000 },
    });
    expect(config.route).toEqual({ receiver: 'ops', matchers: [], continue: false, routes: [] });
    expect(config.digests).toEqual([]);
    expect(config.templates).toBeUndefined();
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['${ROBOT_KEY}', { ROBOT_KEY: 'from-env' }, 'from-env'],
    ['${ROBOT_KEY:-default-key}', {}, 'default-key'],
    ['${ROBOT_KEY:-default-key}', { ROBOT_KEY: 'set' }, 'set'],
    ['$${literal}', {}, '${literal}'],
    ['a$${b}${ROBOT_KEY}', { ROBOT_KEY: 'c' }, 'a${b}c'],
  ])('robot key %s with env %j → %s', (value, env, key) => {
    const config = parseConfigText(`receivers:\n  - name: ops\n    robot:\n      key: "${value}"\nroute:\n  receiver: ops\n`, 'config.yaml', CONFIG_DIR, env);
    expect(config.receivers[0].robot?.key).toBe(key);
  });

  it.each<[string, string]>([
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa', '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?debug=1&key=abc%2Ddef', 'abc-def'],
    ['  plain-key  ', 'plain-key'],
  ])('normalizes a robot key pasted as %s', (pasted, key) => {
    const config = parseConfigText(`receivers:\n  - name: ops\n    robot:\n      key: "${pasted}"\nroute:\n  receiver: ops\n`, 'config.yaml', CONFIG_DIR, {});
    expect(config.receivers[0].robot?.key).toBe(key);
  });

  it('normalizes recipients, agent_id given as a string, and the textcard button default', () => {
    const config = parseConfigText(
      'receivers:\n  - name: app\n    app: { corp_id: ww1, secret: s, agent_id: "1000002", to_user: [zhangsan, 10086], to_tag: " 1|2 " }\nroute:\n  receiver: app\n',
      'config.yaml',
      CONFIG_DIR,
      {},
    );
    expect(config.receivers[0].app).toMatchObject({ agent_id: 1000002, to_user: 'zhangsan|10086', to_tag: '1|2', msgtype: 'markdown', btntxt: '详情', safe: false });
  });

  it('accepts an empty console receiver (console: with no value)', () => {
    const config = parseConfigText('receivers:\n  - name: out\n    console:\nroute:\n  receiver: out\n', 'config.yaml', CONFIG_DIR, {});
    expect(config.receivers[0].console).toEqual({ msgtype: 'markdown' });
  });
});

describe('loadConfigFile: valid-full.yaml', () => {
  const loaded = loadConfigFile(join(CONFIG_DIR, 'valid-full.yaml'), {});
  const { config } = loaded;

  it('records where the config came from and resolves relative paths against its directory', () => {
    expect(loaded.source).toBe(join(CONFIG_DIR, 'valid-full.yaml'));
    expect(loaded.baseDir).toBe(CONFIG_DIR);
  });

  it('reads server settings, and appends bearer_tokens_file lines (trimmed, blank lines skipped) to bearer_tokens', () => {
    expect(config.server.listen).toBe('127.0.0.1:9090');
    expect(config.server.body_limit).toBe(524_288);
    expect(config.server.timezone).toBe('UTC');
    expect(config.server.auth?.bearer_tokens).toEqual(['inline-token-123456', 'token-from-file-aaaaaaaa', 'token-from-file-bbbbbbbb']);
    expect(config.server.auth?.basic).toEqual({ username: 'ops', password: 's3cret-default' });
  });

  it('uses the environment over a ${VAR:-default}', () => {
    const withEnv = loadConfigFile(join(CONFIG_DIR, 'valid-full.yaml'), { WECOM_TEST_BASIC_PASSWORD: 'from-env' });
    expect(withEnv.config.server.auth?.basic?.password).toBe('from-env');
  });

  it('parses durations and keeps defaults for the keys not set', () => {
    expect(config.wecom.timeout).toBe(5_000);
    expect(config.delivery.dedup_window).toBe(120_000);
    expect(config.delivery.retry).toEqual({ initial_backoff: 500, max_backoff: 300_000, max_age: 7_200_000, rate_limited_backoff: 60_000 });
  });

  it('resolves every receiver kind, with key_file and secret_file read from disk', () => {
    expect(config.receivers.map((receiver) => receiver.name)).toEqual(['ops-robot', 'dba-robot', 'file-robot', 'oncall-app', 'stdout']);
    expect(config.receivers[0].robot).toMatchObject({ key: '11111111-2222-3333-4444-555555555555', mention: { users: ['zhangsan'], mobiles: ['13800000000'], all: false } });
    expect(config.receivers[1].robot).toMatchObject({
      url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=dba-key-0001',
      msgtype: 'text',
      rate_limit: { count: 10, per: 30_000 },
    });
    expect(config.receivers[2].robot?.key).toBe('ROBOTKEY-FROM-FILE-0001');
    expect(config.receivers[3].app).toMatchObject({ secret: 'app-secret-from-file-xyz', to_user: 'zhangsan|lisi', to_party: '2|3', msgtype: 'textcard', agent_id: 1000002 });
    expect(config.receivers[4].console).toEqual({ msgtype: 'markdown' });
  });

  it('parses nested routes with matchers, continue, send_resolved and template', () => {
    const [critical, grafana, resolved] = config.route.routes;
    expect(config.route.receiver).toBe('ops-robot');
    expect(critical.matchers.map(({ name, op, value }) => `${name}${op}${value}`)).toEqual(['severity=critical', 'team=~db|dba']);
    expect(critical).toMatchObject({ receiver: 'dba-robot', continue: true });
    expect(grafana.matchers.map(({ name, op, value }) => `${name}${op}${value}`)).toEqual(['source=grafana', 'env!=dev']);
    expect(grafana).toMatchObject({ receivers: ['oncall-app', 'stdout'], send_resolved: false, continue: false });
    expect(grafana.routes[0]).toMatchObject({ receiver: 'file-robot', template: 'message' });
    expect(resolved).toMatchObject({ receiver: 'stdout', continue: false });
    expect(resolved.send_resolved).toBeUndefined();
  });

  it('parses digests', () => {
    expect(config.digests).toHaveLength(1);
    expect(config.digests[0]).toMatchObject({ name: 'hourly', receiver: 'ops-robot', schedule: '0 * * * *', period: 3_600_000, template: 'message', send_empty: false });
    expect(config.digests[0].matchers.map((matcher) => matcher.value)).toEqual(['critical']);
  });
});

describe('validateConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-config-'));
    writeFileSync(join(dir, 'key'), '  https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-file-url \n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validates an already parsed object and resolves *_file against baseDir', () => {
    const config = validateConfig({ receivers: [{ name: 'ops', robot: { key_file: 'key' } }], route: { receiver: 'ops' } }, 'x', dir, {});
    expect(config.receivers[0].robot?.key).toBe('from-file-url');
  });

  it('does not modify the object it is given', () => {
    const raw = { receivers: [{ name: 'ops', robot: { key: '${K}' } }], route: { receiver: 'ops' } };
    validateConfig(raw, 'x', dir, { K: 'v' });
    expect(raw.receivers[0].robot.key).toBe('${K}');
  });

  it('reports an unset variable even when the schema passes', () => {
    expect(
      problemsOf(() => validateConfig({ receivers: [{ name: 'ops', console: null }], route: { receiver: 'ops' }, storage: { path: '${DATA_DIR}/x' } }, 'x', dir, {})),
    ).toEqual(['x: storage.path: environment variable DATA_DIR is not set']);
  });
});
