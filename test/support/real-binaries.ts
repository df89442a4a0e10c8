import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { assertPortFree, freePort, spawnManaged, startService, waitForHttp, type ManagedProcess, type ServiceProcess } from './service-process';

/**
 * Locating and running Debian's real Alertmanager 0.25 / Prometheus 2.42 (real-clients.md).
 * `.ci/run` installs them with apt-get. When a binary is missing, tests FAIL in CI (`CI` set) and are
 * skipped with a visible warning elsewhere, never silently.
 */

export type BinaryName = 'prometheus-alertmanager' | 'amtool' | 'prometheus' | 'redis-server';

const INSTALL_HINT = 'install them with `apt-get install -y --no-install-recommends prometheus-alertmanager prometheus redis-server` (what .ci/run does)';

/** inCI: `CI` set to anything but "", "0" or "false". */
export const inCI = Boolean(process.env.CI) && !['false', '0'].includes(String(process.env.CI).toLowerCase());

/** findBinary looks on PATH, then /usr/bin and /usr/local/bin. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  return dirs.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
}

export type Binaries = Record<BinaryName, string>;

/**
 * describeWithBinaries declares a suite that needs real binaries. All present → the suite runs with
 * their paths. Missing in CI → one failing test naming them. Missing elsewhere → console.warn and a
 * skipped test whose title says why.
 */
export function describeWithBinaries(title: string, names: BinaryName[], body: (bins: Binaries) => void): void {
  const found = Object.fromEntries(names.map((name) => [name, findBinary(name)])) as Partial<Binaries>;
  const missing = names.filter((name) => !found[name]);
  if (missing.length === 0) {
    describe(title, () => body(found as Binaries));
    return;
  }
  const message = `${title}: ${missing.join(', ')} not found on PATH or in /usr/bin; ${INSTALL_HINT}`;
  if (inCI) {
    describe(title, () => {
      it('has the real binaries it needs (required in CI)', () => {
        throw new Error(message);
      });
    });
    return;
  }
  console.warn(`SKIPPED real-client tests — ${message}`);
  describe(title, () => {
    it.skip(`SKIPPED: ${missing.join(', ')} not installed`, () => undefined);
  });
}

/** assertLoopbackOnly fails when a generated config names a URL that is not on 127.0.0.1. */
export function assertLoopbackOnly(text: string, what: string): void {
  const urls = text.match(/\bhttps?:\/\/[^\s'"]+/g) ?? [];
  const foreign = urls.filter((url) => !/^https?:\/\/127\.0\.0\.1(:\d+)?(\/|$)/.test(url));
  if (foreign.length > 0) throw new Error(`${what} contains non-loopback URLs: ${foreign.join(', ')}`);
}

/**
 * withDiagnostics runs a test body and, when it fails, appends `diagnostics()` (the real clients'
 * stderr, the adapter's log, what the fake received) to the failure message.
 */
export async function withDiagnostics(body: () => Promise<void>, diagnostics: () => string): Promise<void> {
  try {
    await body();
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const extra = diagnostics();
    if (!error.message.includes(extra)) error.message = `${error.message}\n\n${extra}`;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Alertmanager

export interface AlertmanagerOptions {
  bins: Pick<Binaries, 'prometheus-alertmanager' | 'amtool'>;
  dir: string;
  /** The webhook URL (our adapter), e.g. `http://127.0.0.1:P/webhook/alertmanager`. */
  webhookUrl: string;
  bearerToken?: string;
  groupWait?: string;
  groupInterval?: string;
  /** HA mode: cluster on loopback with these peers (default: clustering disabled). */
  cluster?: AlertmanagerCluster;
  /** Process name in messages (default `alertmanager`). */
  name?: string;
}

/** Gossip settings of one clustered Alertmanager (`--cluster.*` flags of Alertmanager 0.25). */
export interface AlertmanagerCluster {
  /** This instance's gossip port on 127.0.0.1 (TCP and UDP). */
  listenPort: number;
  /** The other members' gossip ports on 127.0.0.1. */
  peerPorts: number[];
  /**
   * `--cluster.peer-timeout`: how long the member at position N waits (N × timeout) before it
   * checks the notification log and sends; short, so both members really send.
   */
  peerTimeout: string;
  /** `--cluster.gossip-interval`; Alertmanager waits ~4 × 10 × this for gossip to settle at start. */
  gossipInterval: string;
  /** `--cluster.pushpull-interval`: full state syncs. */
  pushpullInterval: string;
}

export interface RunningAlertmanager {
  url: string;
  port: number;
  proc: ManagedProcess;
  configPath: string;
  /** POST /api/v2/alerts with the given alerts. */
  postAlerts: (alerts: unknown[]) => Promise<void>;
}

/** startAlertmanager writes the config, runs `amtool check-config`, starts Alertmanager on a free port and waits for /-/ready. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  mkdirSync(options.dir, { recursive: true });
  const config = {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: 'adapter',
      group_by: ['alertname'],
      group_wait: options.groupWait ?? '1s',
      group_interval: options.groupInterval ?? '2s',
      repeat_interval: '1h',
    },
    receivers: [
      {
        name: 'adapter',
        webhook_configs: [
          {
            url: options.webhookUrl,
            send_resolved: true,
            max_alerts: 0,
            ...(options.bearerToken ? { http_config: { authorization: { type: 'Bearer', credentials: options.bearerToken } } } : {}),
          },
        ],
      },
    ],
  };
  const configPath = join(options.dir, 'alertmanager.yml');
  const text = stringify(config);
  assertLoopbackOnly(text, configPath);
  writeFileSync(configPath, text);
  const check = spawnSync(options.bins.amtool, ['check-config', configPath], { encoding: 'utf8', timeout: 20_000 });
  if (check.error) throw check.error;
  if (check.status !== 0) throw new Error(`amtool check-config failed (exit ${check.status}):\n${check.stdout}${check.stderr}\n--- config ---\n${text}`);

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await assertPortFree(port);
    const url = `http://127.0.0.1:${port}`;
    const proc = spawnManaged(
      options.bins['prometheus-alertmanager'],
      [
        `--config.file=${configPath}`,
        `--storage.path=${join(options.dir, `am-data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=${url}`,
        ...clusterArgs(options.cluster),
        '--log.level=debug',
      ],
      { name: options.name ?? 'alertmanager', cwd: options.dir },
    );
    try {
      await waitForHttp(`${url}/-/ready`, proc, 15_000);
    } catch (err) {
      await proc.stop();
      if (attempt < 3 && /address already in use/i.test(proc.output())) continue;
      throw err;
    }
    const postAlerts = async (alerts: unknown[]) => {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (res.status !== 200) throw new Error(`Alertmanager POST /api/v2/alerts answered ${res.status}: ${await res.text()}`);
    };
    return { url, port, proc, configPath, postAlerts };
  }
}

function clusterArgs(cluster: AlertmanagerCluster | undefined): string[] {
  if (!cluster) return ['--cluster.listen-address='];
  return [
    `--cluster.listen-address=127.0.0.1:${cluster.listenPort}`,
    `--cluster.advertise-address=127.0.0.1:${cluster.listenPort}`,
    ...cluster.peerPorts.map((port) => `--cluster.peer=127.0.0.1:${port}`),
    `--cluster.peer-timeout=${cluster.peerTimeout}`,
    `--cluster.gossip-interval=${cluster.gossipInterval}`,
    `--cluster.pushpull-interval=${cluster.pushpullInterval}`,
  ];
}

/**
 * startAlertmanagerPair starts two clustered Alertmanagers (an HA pair) with the same config, each
 * with its own `--web.external-url`, gossiping on loopback, and resolves once each reports the
 * cluster `ready` with both members (before that, Alertmanager holds notifications back).
 */
export async function startAlertmanagerPair(
  options: Omit<AlertmanagerOptions, 'cluster' | 'name'> & { cluster: Omit<AlertmanagerCluster, 'listenPort' | 'peerPorts'> },
): Promise<[RunningAlertmanager, RunningAlertmanager]> {
  const ports = [await freePort(), await freePort()];
  const pair: RunningAlertmanager[] = [];
  try {
    for (const [index, listenPort] of ports.entries()) {
      pair.push(
        await startAlertmanager({
          ...options,
          name: `alertmanager-${index}`,
          dir: join(options.dir, `am-${index}`),
          cluster: { ...options.cluster, listenPort, peerPorts: ports.filter((port) => port !== listenPort) },
        }),
      );
    }
    const deadline = Date.now() + 20_000;
    for (const am of pair) {
      for (;;) {
        const status = (await (await fetch(`${am.url}/api/v2/status`)).json()) as { cluster?: { status?: string; peers?: unknown[] } };
        if (status.cluster?.status === 'ready' && status.cluster.peers?.length === 2) break;
        if (Date.now() > deadline) throw new Error(`${am.proc.name} cluster not ready with 2 peers: ${JSON.stringify(status.cluster)}\n${am.proc.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (err) {
    for (const am of pair) await am.proc.stop();
    throw err;
  }
  return [pair[0], pair[1]];
}

// ---------------------------------------------------------------------------------------------
// Prometheus

export interface PrometheusOptions {
  bin: string;
  dir: string;
  alertmanagerPort: number;
  /** rules.yml content (already generated, e.g. with a firing time window). */
  rules: string;
  extraArgs?: string[];
}

export interface RunningPrometheus {
  url: string;
  port: number;
  proc: ManagedProcess;
}

/** startPrometheus writes prometheus.yml + rules.yml, starts Prometheus on a free port, waits for /-/ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  mkdirSync(options.dir, { recursive: true });
  const config = {
    global: { evaluation_interval: '1s' },
    rule_files: ['rules.yml'],
    alerting: { alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: [`127.0.0.1:${options.alertmanagerPort}`] }] }] },
  };
  const text = stringify(config);
  writeFileSync(join(options.dir, 'prometheus.yml'), text);
  writeFileSync(join(options.dir, 'rules.yml'), options.rules);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await assertPortFree(port);
    const url = `http://127.0.0.1:${port}`;
    const proc = spawnManaged(
      options.bin,
      [
        `--config.file=${join(options.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(options.dir, `prom-data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=${url}/`,
        ...(options.extraArgs ?? []),
      ],
      { name: 'prometheus', cwd: options.dir },
    );
    try {
      await waitForHttp(`${url}/-/ready`, proc, 20_000);
    } catch (err) {
      await proc.stop();
      if (attempt < 3 && /address already in use/i.test(proc.output())) continue;
      throw err;
    }
    return { url, port, proc };
  }
}

/**
 * startRealClientAdapter: the adapter process of the real-client suites — bearer auth on, one robot
 * receiver `ops` pointing at the fake WeCom, fast retries; `delivery` keys override (e.g. dedup_window).
 */
export async function startRealClientAdapter(options: { dir: string; fakeUrl: string; token: string; robotKey: string; delivery?: Record<string, unknown> }): Promise<ServiceProcess> {
  return startService({
    dir: join(options.dir, 'adapter'),
    config: {
      server: { auth: { bearer_tokens: [options.token] }, timezone: 'Asia/Shanghai' },
      wecom: { api_base: options.fakeUrl, timeout: '2s' },
      delivery: { retry: { initial_backoff: '50ms', max_backoff: '500ms', rate_limited_backoff: '500ms' }, ...options.delivery },
      receivers: [{ name: 'ops', robot: { key: options.robotKey } }],
      route: { receiver: 'ops' },
    },
  });
}

/**
 * startAdapterBehindAlertmanager: the adapter process (bearer auth on, one robot receiver pointing at
 * the fake WeCom) and a real Alertmanager whose webhook posts to it — the setup both real-client
 * suites share.
 */
export async function startAdapterBehindAlertmanager(options: { bins: Binaries; dir: string; fakeUrl: string; token: string; robotKey: string }): Promise<{ adapter: ServiceProcess; am: RunningAlertmanager }> {
  const adapter = await startRealClientAdapter(options);
  const am = await startAlertmanager({ bins: options.bins, dir: join(options.dir, 'am'), webhookUrl: `${adapter.url}/webhook/alertmanager`, bearerToken: options.token });
  return { adapter, am };
}

// ---------------------------------------------------------------------------------------------
// Redis

export interface RunningRedis {
  url: string;
  port: number;
  proc: ManagedProcess;
}

/** startRedisServer runs Debian's redis-server on a free loopback port, without persistence, and waits until it accepts connections. */
export async function startRedisServer(bin: string, dir: string): Promise<RunningRedis> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const proc = spawnManaged(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { name: 'redis-server' });
  const deadline = Date.now() + 10_000;
  while (!proc.output().includes('Ready to accept connections')) {
    if (!proc.running() || Date.now() > deadline) {
      await proc.stop();
      throw new Error(`redis-server did not become ready on 127.0.0.1:${port}\n${proc.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { url: `redis://127.0.0.1:${port}/0`, port, proc };
}
