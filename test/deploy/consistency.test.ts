import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { parse } from 'yaml';
import { parseConfigText, validateConfig } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';

/**
 * Keeps the deployment files consistent with each other and with the product: ports, probe paths,
 * config and secret file paths, the non-root image, and metric names (SPEC §7).
 */
const root = join(__dirname, '..', '..');
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');
const k8s = (name: string) => parse(read('deploy', 'kubernetes', name)) as any;

/** The metric names of SPEC §7, plus the dead-letter gauge added with the dead-letter list. */
const SPEC_METRICS = [
  'wecom_adapter_webhook_requests_total',
  'wecom_adapter_alerts_received_total',
  'wecom_adapter_notifications_total',
  'wecom_adapter_wecom_errors_total',
  'wecom_adapter_send_duration_seconds',
  'wecom_adapter_outbox_pending',
  'wecom_adapter_token_refreshes_total',
  'wecom_adapter_config_last_reload_successful',
  'wecom_adapter_dead_letters',
];
const HISTOGRAMS = ['wecom_adapter_send_duration_seconds'];
/** Metrics added after SPEC §7 that the shipped rules use (README's metrics list documents them). */
const ADDED_METRICS = ['wecom_adapter_unknown_receiver_total'];
const ALLOWED = new Set([...SPEC_METRICS, ...ADDED_METRICS, ...HISTOGRAMS.flatMap((name) => ['_bucket', '_sum', '_count'].map((suffix) => name + suffix))]);
/** `up` and prom-client's default metrics (process_*, nodejs_*) are fine too. */
const isAllowedMetric = (name: string) => ALLOWED.has(name) || name === 'up' || /^(process|nodejs)_/.test(name);

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'inf', 'nan', 'atan2']);

/** metricNames lists the metric names a PromQL expression selects (not functions, labels or keywords). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w:.$])([A-Za-z_:][\w:]*)(?![\w:]|\s*\()/g)) {
    if (!KEYWORDS.has(match[1].toLowerCase())) names.add(match[1]);
  }
  return [...names];
}

/** resolvePort turns a named port into the container's port number. */
function resolvePort(port: number | string, container: { ports: { name?: string; containerPort: number }[] }): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports.find((candidate) => candidate.name === port)?.containerPort;
}

/** secretFilePaths finds every `*_file` key of a parsed config, with its location. */
function secretFilePaths(value: unknown, path: string[] = []): { path: string[]; file: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => secretFilePaths(item, [...path, String(index)]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key.endsWith('_file') && typeof item === 'string' ? [{ path: [...path, key], file: item }] : secretFilePaths(item, [...path, key]),
  );
}

function setAt(target: unknown, path: string[], value: string): void {
  const parent = path.slice(0, -1).reduce((node, key) => (node as Record<string, unknown>)[key], target);
  (parent as Record<string, unknown>)[path[path.length - 1]] = value;
}

interface Instruction {
  keyword: string;
  args: string;
  heredoc?: string;
}

/** parseDockerfile splits a Dockerfile into instructions (continuations joined, heredoc bodies attached). */
function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  let index = 0;
  while (index < lines.length) {
    let line = lines[index++];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && index < lines.length) {
      const next = lines[index++];
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const [, keyword, args] = /^\s*(\w+)\s*(.*)$/.exec(line)!;
    const instruction: Instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    const heredoc = /<<-?(["']?)(\w+)\1/.exec(args);
    if (heredoc) {
      const body: string[] = [];
      while (index < lines.length && lines[index].trim() !== heredoc[2]) body.push(lines[index++]);
      index++;
      instruction.heredoc = `${body.join('\n')}\n`;
    }
    instructions.push(instruction);
  }
  return instructions;
}

const defaults = configSchema.parse({ receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' } });
const DEFAULT_PORT = Number(defaults.server.listen.split(':').pop());

const deployment = k8s('deployment.yaml');
const service = k8s('service.yaml');
const configMap = k8s('configmap.yaml');
const secret = k8s('secret.example.yaml');
const kustomization = k8s('kustomization.yaml');
const podSpec = deployment.spec.template.spec;
const container = podSpec.containers[0];
const volumeFor = (mountPath: string) => {
  const mount = container.volumeMounts.find((candidate: { mountPath: string }) => candidate.mountPath === mountPath);
  return mount && podSpec.volumes.find((volume: { name: string }) => volume.name === mount.name);
};
const configArg = (args: string[]) => args[args.indexOf('--config') + 1];

const dockerfile = parseDockerfile(read('Dockerfile'));
const runtimeStage = dockerfile.slice(dockerfile.map((instruction) => instruction.keyword).lastIndexOf('FROM'));
const dockerLast = (keyword: string) => [...runtimeStage].reverse().find((instruction) => instruction.keyword === keyword);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'wecom-deploy-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ports', () => {
  it('the config schema listens on 8090 by default', () => {
    expect(DEFAULT_PORT).toBe(8090);
  });

  it('container, probes and Service all use the default port', () => {
    expect(podSpec.containers).toHaveLength(1);
    expect(container.ports.map((port: { containerPort: number }) => port.containerPort)).toEqual([DEFAULT_PORT]);
    expect(resolvePort(container.readinessProbe.httpGet.port, container)).toBe(DEFAULT_PORT);
    expect(resolvePort(container.livenessProbe.httpGet.port, container)).toBe(DEFAULT_PORT);
    expect(service.spec.ports).toHaveLength(1);
    expect(resolvePort(service.spec.ports[0].targetPort, container)).toBe(DEFAULT_PORT);
  });

  it('probes use /healthz for liveness and /readyz for readiness', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('the Service and Deployment selectors match the pod labels', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(labels).toMatchObject(service.spec.selector);
  });
});

describe('deployment', () => {
  it('runs one replica as a non-root user on a read-only root filesystem', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(podSpec.securityContext.runAsNonRoot).toBe(true);
    expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.securityContext.capabilities.drop).toContain('ALL');
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
  });

  it('mounts the ConfigMap where --config points, and the same path as the image default', () => {
    const file = configArg(container.args);
    expect(volumeFor(posix.dirname(file))?.configMap?.name).toBe(configMap.metadata.name);
    expect(Object.keys(configMap.data)).toContain(posix.basename(file));
    expect(configArg(JSON.parse(dockerLast('CMD')!.args))).toBe(file);
  });

  it('keeps /data on a writable volume (emptyDir or PVC)', () => {
    const volume = volumeFor('/data');
    expect(volume?.emptyDir ?? volume?.persistentVolumeClaim).toBeDefined();
  });

  it('kustomization lists the manifests (not the example Secret) and the image', () => {
    expect([...kustomization.resources].sort()).toEqual(['configmap.yaml', 'deployment.yaml', 'service.yaml']);
    for (const file of kustomization.resources) expect(existsSync(join(root, 'deploy', 'kubernetes', file))).toBe(true);
    expect(kustomization.images.map((image: { name: string }) => image.name)).toContain(container.image.split(':')[0]);
  });
});

describe('ConfigMap config.yaml', () => {
  const text: string = configMap.data['config.yaml'];
  const raw = parse(text);
  const secretMount = container.volumeMounts.find(
    (mount: { name: string }) => podSpec.volumes.find((volume: { name: string }) => volume.name === mount.name)?.secret?.secretName === secret.metadata.name,
  )?.mountPath as string | undefined;

  it('references secrets only as files from the mounted Secret, and every Secret key is used', () => {
    expect(secretMount).toBeDefined();
    const files = secretFilePaths(raw);
    expect(files.map((entry) => entry.path.join('.'))).toEqual(
      expect.arrayContaining(['server.auth.bearer_tokens_file', 'receivers.0.robot.key_file', 'receivers.1.app.secret_file']),
    );
    for (const { file } of files) {
      expect(isAbsolute(file)).toBe(true);
      expect(posix.dirname(file)).toBe(secretMount);
    }
    expect(files.map(({ file }) => posix.basename(file)).sort()).toEqual(Object.keys(secret.stringData).sort());
    expect(text).not.toMatch(/^\s*(key|secret|password|bearer_tokens):/m);
  });

  it('validates with the config loader, secret files included', () => {
    const copy = structuredClone(raw);
    for (const { path, file } of secretFilePaths(raw)) {
      const local = join(tmp, 'secrets', posix.basename(file));
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, secret.stringData[posix.basename(file)]);
      setAt(copy, path, local);
    }
    const config = validateConfig(copy, 'configmap.yaml: config.yaml', tmp, {});
    expect(config.storage.path).toBe('/data');
    expect(Number(config.server.listen.split(':').pop())).toBe(DEFAULT_PORT);
    expect(config.receivers[0].robot?.key).toBeTruthy();
    expect(config.server.auth?.bearer_tokens.length).toBeGreaterThan(0);
    // Kubelet probes carry no credentials.
    expect(config.server.auth?.protect_health).toBe(false);
    expect(config.route.routes.length).toBeGreaterThan(0);
    expect(config.route.routes.every((route) => route.matchers.length > 0)).toBe(true);
    // The pod gets longer to stop than the adapter's own shutdown grace.
    expect(podSpec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.delivery.shutdown_grace);
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs on node:20-bookworm-slim', () => {
    const args = Object.fromEntries(
      dockerfile
        .slice(0, dockerfile.findIndex((instruction) => instruction.keyword === 'FROM'))
        .filter((instruction) => instruction.keyword === 'ARG')
        .map((instruction) => instruction.args.split('=') as [string, string]),
    );
    const from = runtimeStage[0].args.replace(/\$\{?(\w+)\}?/g, (_whole, name: string) => args[name] ?? '').split(/\s+/)[0];
    expect(from).toBe('node:20-bookworm-slim');
    const all = dockerfile.map((instruction) => `${instruction.keyword} ${instruction.args}`).join('\n');
    expect(all).toMatch(/RUN npm ci\b/);
    expect(all).toMatch(/npm run build/);
    expect(all).toMatch(/npm prune --omit=dev/);
  });

  it('ships what the package ships (package.json "files") plus its production node_modules, nothing else', () => {
    const copies = runtimeStage.filter((instruction) => instruction.keyword === 'COPY' && !instruction.heredoc);
    const sources = copies.map((instruction) => instruction.args.split(/\s+/).filter((word) => !word.startsWith('--')).slice(-2)[0].replace(/^\/src\//, ''));
    const files = (JSON.parse(read('package.json')) as { files: string[] }).files;
    const inPackage = (source: string) => ['package.json', 'node_modules'].includes(source) || files.some((entry) => source === entry || source.startsWith(`${entry}/`));
    expect(sources.filter((source) => !inPackage(source))).toEqual([]);
    // Everything the running service reads from disk is there: code, templates, console assets, playground examples.
    expect(sources).toEqual(expect.arrayContaining(['dist', 'templates', 'src/ui/assets', 'examples/payloads', 'config.example.yaml']));
  });

  it('exposes 8090, runs as non-root, declares /data and the CLI entrypoint', () => {
    expect(dockerLast('EXPOSE')!.args.split(/\s+/)).toContain(String(DEFAULT_PORT));
    const user = dockerLast('USER')!.args.split(':')[0];
    expect(['root', '0', '']).not.toContain(user);
    expect(dockerLast('VOLUME')!.args).toMatch(/^(\/data|\["\/data"\])$/);
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
    // The bin itself, started through its shebang so the image gets the bin's V8 flags (issue 18).
    expect(JSON.parse(dockerLast('ENTRYPOINT')!.args)).toEqual([`${dockerLast('WORKDIR')!.args}/${pkg.bin['wecom-alert-adapter']}`]);
    expect(JSON.parse(dockerLast('CMD')!.args)).toEqual(['serve', '--config', '/etc/wecom-alert-adapter/config.yaml']);
  });

  it('health-checks /healthz on 8090 with node (no curl in the slim image)', () => {
    const healthcheck = dockerLast('HEALTHCHECK')!.args;
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
    expect(command[0]).toBe('node');
    const url = new URL(/https?:\/\/[^'"\s]+/.exec(command.join(' '))![0]);
    expect(Number(url.port)).toBe(DEFAULT_PORT);
    expect(url.pathname).toBe('/healthz');
  });

  it('has a built-in default config that validates and keeps the outbox in /data', () => {
    const copy = runtimeStage.find((instruction) => instruction.heredoc !== undefined);
    expect(copy?.args.split(/\s+/).pop()).toBe(configArg(JSON.parse(dockerLast('CMD')!.args)));
    const config = parseConfigText(copy!.heredoc!, 'Dockerfile: config.yaml', tmp, {});
    expect(config.storage.path).toBe('/data');
  });

  it('.dockerignore keeps everything the build needs in the context', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => ({ negate: line.startsWith('!'), pattern: line.replace(/^!/, '').replace(/^\//, '') }));
    const toRegExp = (glob: string) =>
      new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*\*/g, '.*').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    const ignored = (path: string) =>
      patterns.reduce((result, { negate, pattern }) => (toRegExp(pattern).test(path) ? !negate : result), false);
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'templates', 'config.example.yaml']) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: false });
    }
    for (const path of ['node_modules', 'dist', 'data', '.git', 'config.yaml']) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: true });
    }
  });
});

describe('metric names in rules and dashboard', () => {
  const rules = (parse(read('deploy', 'prometheus-rules.yaml')) as { groups: { rules: Record<string, any>[] }[] }).groups.flatMap((group) => group.rules);
  const dashboard = JSON.parse(read('deploy', 'grafana-dashboard.json'));
  type Panel = { type: string; title: string; datasource?: { uid: string }; targets?: { expr?: string }[]; panels?: Panel[] };
  const panels: Panel[] = (dashboard.panels as Panel[]).flatMap((panel) => [panel, ...(panel.panels ?? [])]).filter((panel) => panel.type !== 'row');
  const dashboardExprs: string[] = [
    ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? '')),
    ...dashboard.templating.list
      .filter((variable: { type: string }) => variable.type === 'query')
      .map((variable: { query: string | { query: string } }) => {
        const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
        return /^label_values\((.*),\s*\w+\)$/.exec(query.trim())?.[1] ?? query;
      }),
  ];

  it('the extractor finds metric names and nothing else', () => {
    expect(
      metricNames('histogram_quantile(0.99, sum by (le, receiver) (rate(wecom_adapter_send_duration_seconds_bucket{receiver=~"$r"}[$__rate_interval])))'),
    ).toEqual(['wecom_adapter_send_duration_seconds_bucket']);
    expect(metricNames('a > 0 unless ignoring (outcome) increase(b{outcome="sent"}[15m] offset 1h) > 1e3 and on(x) group_left up')).toEqual(['a', 'b', 'up']);
  });

  it.each([
    ['rules', () => rules.map((rule) => String(rule.expr))],
    ['dashboard', () => dashboardExprs],
  ])('%s use only SPEC §7 metrics, up and process metrics', (_what, exprs) => {
    for (const expr of exprs()) {
      const names = metricNames(expr);
      expect({ expr, names: names.length > 0 }).toEqual({ expr, names: true });
      for (const name of names) expect({ expr, name, allowed: isAllowedMetric(name) }).toEqual({ expr, name, allowed: true });
    }
  });

  it('the dashboard shows every SPEC §7 metric', () => {
    const used = new Set(dashboardExprs.flatMap(metricNames).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    for (const name of SPEC_METRICS) expect(used).toContain(name);
  });

  it('every alert has a severity, an English summary and a Chinese description', () => {
    const names = rules.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
      expect(rule.annotations.summary).toMatch(/^[\x20-\x7e]+$/);
      expect(rule.annotations.description).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(rules.find((rule) => /\bup\{job="wecom-alert-adapter"\} == 0/.test(rule.expr))).toBeDefined();
  });

  it('the dashboard parses, uses ${DS_PROMETHEUS}, and every panel has a query', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' })]));
    const ids = (dashboard.panels as { id: number }[]).map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of panels) {
      expect({ title: panel.title, uid: panel.datasource?.uid }).toEqual({ title: panel.title, uid: '${DS_PROMETHEUS}' });
      const exprs = (panel.targets ?? []).map((target) => target.expr?.trim()).filter(Boolean);
      expect({ title: panel.title, queries: exprs.length > 0 }).toEqual({ title: panel.title, queries: true });
    }
  });
});
