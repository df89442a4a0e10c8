import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkCommand } from '../../src/commands/check';

const CONFIG_DIR = join(__dirname, '../fixtures/config');

function check(file: string): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = checkCommand(join(CONFIG_DIR, file), (line) => out.push(line), (line) => err.push(line));
  return { code, out, err };
}

/** Built-in templates on disk (not partials). */
const BUILTIN_TEMPLATE_COUNT = readdirSync(join(__dirname, '../../templates')).filter((file) => file.endsWith('.hbs')).length;

describe('checkCommand', () => {
  it('exits 0 for valid-full.yaml and prints a summary of receivers, routes, templates and digests', () => {
    const { code, out, err } = check('valid-full.yaml');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual([
      `${join(CONFIG_DIR, 'valid-full.yaml')}: OK`,
      'receivers (5):',
      '  - ops-robot (robot): msgtype markdown, rate limit 20/1m',
      '  - dba-robot (robot): msgtype text, rate limit 10/30s',
      '  - file-robot (robot): msgtype markdown, rate limit 20/1m',
      '  - oncall-app (app): msgtype textcard, agent 1000002, to user zhangsan|lisi, party 2|3',
      '  - stdout (console): msgtype markdown',
      'routes:',
      '  - route: (default) → ops-robot',
      '    - route.routes[0]: {severity="critical", team=~"db|dba"} → dba-robot [continue]',
      '    - route.routes[1]: {source="grafana", env!="dev"} → oncall-app, stdout [no resolved]',
      '      - route.routes[1].routes[0]: {team="frontend"} → file-robot [template message]',
      '    - route.routes[2]: {status="resolved"} → stdout',
      `templates: ${BUILTIN_TEMPLATE_COUNT} compiled`,
      'digests: hourly "0 * * * *" → ops-robot',
    ]);
  });

  it('mentions the override directory in the summary', () => {
    const { code, out } = check('template-override.yaml');
    expect(code).toBe(0);
    expect(out).toContain(`templates: ${BUILTIN_TEMPLATE_COUNT} compiled (overrides from templates-override)`);
  });

  it.each<[string, string[]]>([
    ['robot-missing-key.yaml', ['robot-missing-key.yaml: receivers[0].robot.key: required (set one of: key, key_file, url, url_file)']],
    ['robot-key-and-url.yaml', ['robot-key-and-url.yaml: receivers[0].robot.url: conflicts with key: set only one of key, key_file, url, url_file']],
    ['unknown-key.yaml', ['unknown-key.yaml: receivers[0].robot: unknown key "msgtyp"']],
    ['bad-duration.yaml', ['bad-duration.yaml: delivery.dedup_window: invalid duration "5 minutes" (use e.g. 500ms, 30s, 5m, 1h)']],
    [
      'bad-matcher.yaml',
      ['bad-matcher.yaml: route.routes[0].matchers[0]: invalid regex "(critical" for "severity": Invalid regular expression: /^(?:(critical)$/s: Unterminated group'],
    ],
    ['unknown-receiver.yaml', ['unknown-receiver.yaml: route.routes[1].receiver: unknown receiver "x"']],
    ['duplicate-receiver.yaml', ['duplicate-receiver.yaml: receivers[1].name: duplicate receiver name "ops" (also receivers[0])']],
    ['app-no-recipients.yaml', ['app-no-recipients.yaml: receivers[0].app.to_user: required (set at least one of: to_user, to_party, to_tag)']],
    ['app-no-secret.yaml', ['app-no-secret.yaml: receivers[0].app.secret: required (set one of: secret, secret_file)']],
    ['bad-timezone.yaml', ['bad-timezone.yaml: server.timezone: unknown time zone (use an IANA name such as Asia/Shanghai)']],
    ['bad-listen.yaml', ['bad-listen.yaml: server.listen: use HOST:PORT, e.g. 0.0.0.0:8090']],
    ['bad-cron.yaml', ['bad-cron.yaml: digests[0].schedule: invalid cron expression (e.g. "0 * * * *" hourly, "0 9 * * 1-5" workdays at 9:00)']],
    [
      'env-unset.yaml',
      [
        'env-unset.yaml: receivers[0].robot.key: environment variable WECOM_TEST_UNSET_ROBOT_KEY is not set',
        'env-unset.yaml: receivers[0].robot.key: required (set one of: key, key_file, url, url_file)',
      ],
    ],
    ['key-file-missing.yaml', ['key-file-missing.yaml: receivers[0].robot.key_file: cannot read secrets/does-not-exist.txt: ENOENT']],
    ['yaml-syntax.yaml', ['yaml-syntax.yaml: line 5, column 1: All mapping items must start at the same column']],
    ['empty.yaml', ['empty.yaml: the config must be a YAML mapping with keys such as receivers and route']],
    ['top-level-list.yaml', ['top-level-list.yaml: the config must be a YAML mapping with keys such as receivers and route']],
    ['route-unknown-template.yaml', ['route-unknown-template.yaml: route.routes[0].template: no template nope.md.hbs (needed by receiver "ops")']],
    [
      'template-bad-syntax.yaml',
      [`${join(CONFIG_DIR, 'templates-bad-syntax/alertmanager.md.hbs')}: if doesn't match each - 1:6`],
    ],
    [
      'template-unknown-helper.yaml',
      [`${join(CONFIG_DIR, 'templates-unknown-helper/grafana.md.hbs')}: You specified knownHelpersOnly, but used the unknown helper shout - 1:3`],
    ],
  ])('%s → exit 1, one line per problem, nothing on stdout', (file, expected) => {
    const { code, out, err } = check(file);
    expect({ code, out, err }).toEqual({ code: 1, out: [], err: expected });
  });

  it('exits 1 when the config file does not exist', () => {
    const { code, err } = check('missing.yaml');
    expect(code).toBe(1);
    expect(err).toEqual([`${join(CONFIG_DIR, 'missing.yaml')}: cannot read: ENOENT`]);
  });
});
