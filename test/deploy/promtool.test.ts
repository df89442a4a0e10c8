import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * Runs Prometheus' own checker over deploy/prometheus-rules.yaml, its unit tests
 * (deploy/prometheus-rules.test.yaml) and the PromQL of the Grafana dashboard. promtool comes from
 * Debian's `prometheus` package. Without it the checks fail in CI and are skipped, loudly, elsewhere.
 */
const root = join(__dirname, '..', '..');
const rulesFile = join(root, 'deploy', 'prometheus-rules.yaml');
const rulesTestFile = join(root, 'deploy', 'prometheus-rules.test.yaml');
const dashboardFile = join(root, 'deploy', 'grafana-dashboard.json');

const INSTALL_HINT =
  'promtool was not found on PATH or in /usr/bin. Install it with `apt-get install -y --no-install-recommends prometheus` (Debian/Ubuntu)';

function findPromtool(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  return dirs.map((dir) => join(dir, 'promtool')).find((candidate) => existsSync(candidate));
}

const inCI = Boolean(process.env.CI) && !['false', '0'].includes(process.env.CI!.toLowerCase());
const promtool = findPromtool();

function promtoolRun(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool!, args, { cwd: root, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface RuleGroups {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  targets?: { refId: string; expr?: string }[];
  panels?: DashboardPanel[];
}

/** dashboardQueries returns every PromQL expression of the dashboard, with Grafana variables filled in. */
function dashboardQueries(): { name: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
    panels: DashboardPanel[];
    templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
  };
  const fill = (expr: string) =>
    expr.replace(/\$\{?(\w+)\}?/g, (_whole, name: string) =>
      name === '__rate_interval' || name === '__interval' ? '5m' : name === '__range' ? '6h' : '.*',
    );
  const queries: { name: string; expr: string }[] = [];
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  for (const panel of panels) {
    for (const target of panel.targets ?? []) {
      if (target.expr) queries.push({ name: `dashboard:panel_${panel.id}:${target.refId}`, expr: fill(target.expr) });
    }
  }
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query' || !variable.query) continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
    // label_values(SELECTOR, label): the selector is PromQL.
    const selector = /^label_values\((.*),\s*\w+\)$/.exec(query.trim());
    if (selector) queries.push({ name: `dashboard:variable:${variable.name}`, expr: fill(selector[1]) });
  }
  return queries;
}

describe('Prometheus rules and dashboard PromQL (promtool)', () => {
  if (!promtool) {
    if (inCI) {
      it('promtool is installed (required in CI)', () => {
        throw new Error(`${INSTALL_HINT}. CI must run the promtool checks of deploy/prometheus-rules.yaml.`);
      });
    } else {
      console.warn(`SKIPPING promtool checks of deploy/prometheus-rules.yaml: ${INSTALL_HINT}. (In CI this fails.)`);
      it.skip('promtool check rules deploy/prometheus-rules.yaml', () => undefined);
      it.skip('promtool test rules deploy/prometheus-rules.test.yaml', () => undefined);
      it.skip('dashboard expressions are valid PromQL', () => undefined);
    }
    return;
  }

  it('promtool check rules deploy/prometheus-rules.yaml', () => {
    const { status, output } = promtoolRun(['check', 'rules', rulesFile]);
    expect({ status, output }).toMatchObject({ status: 0 });
    const rules = (parse(readFileSync(rulesFile, 'utf8')) as RuleGroups).groups.flatMap((group) => group.rules);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('promtool test rules deploy/prometheus-rules.test.yaml', () => {
    const { status, output } = promtoolRun(['test', 'rules', rulesTestFile]);
    expect({ status, output }).toMatchObject({ status: 0 });
    expect(output).toContain('SUCCESS');
  });

  it('the unit tests cover the dead-letter, config-reload and unknown-receiver alerts', () => {
    const tests = parse(readFileSync(rulesTestFile, 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const firing = new Set(
      tests.tests.flatMap((test) => (test.alert_rule_test ?? []).filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname)),
    );
    for (const name of ['WecomAdapterDeadLettersGrowing', 'WecomAdapterDeadLettersPresent', 'WecomAdapterConfigReloadFailed', 'WecomAdapterUnknownReceiver']) {
      expect(firing).toContain(name);
    }
  });

  it('every dashboard expression is valid PromQL', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    const dir = mkdtempSync(join(tmpdir(), 'wecom-dashboard-promql-'));
    try {
      const file = join(dir, 'dashboard-rules.yaml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: queries.map(({ name, expr }) => ({ record: name, expr })) }] }));
      const { status, output } = promtoolRun(['check', 'rules', file]);
      expect({ status, output }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
