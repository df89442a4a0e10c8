import type { FakeWecom } from './fake-wecom';

/**
 * Synthetic Alertmanager payloads for storm, crash and replica tests: batch `b` carries alerts
 * named `<alertname>` with instances `<prefix>-b-i`, each with a distinct fingerprint, so a test
 * can count exactly which alerts the fake robot received (full or compact layout).
 */
export interface SyntheticOptions {
  alertname: string;
  /** Instance prefix, e.g. `node` → `node-3-7`. */
  prefix: string;
  /** Fingerprint prefix character(s), keeping suites' fingerprints apart. */
  fingerprint?: string;
}

export function syntheticPayload(options: SyntheticOptions, batch: number, perBatch: number) {
  const { alertname, prefix } = options;
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}", batch="${batch}"}`,
    status: 'firing',
    receiver: 'adapter',
    groupLabels: { alertname },
    commonLabels: { alertname },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    alerts: Array.from({ length: perBatch }, (_, i) => {
      const instance = `${prefix}-${batch}-${i}`;
      return {
        status: 'firing',
        labels: { alertname, instance, severity: i % 2 ? 'warning' : 'critical' },
        annotations: { summary: `测试告警：实例 ${instance} 的告警必须送达且只送达一次`, description: `${instance} 的 /data 分区使用率为 9${i % 10}%，请尽快清理` },
        startsAt: '2025-03-18T02:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `http://prometheus.example.cn/graph?g0.expr=disk&instance=${instance}`,
        fingerprint: `${options.fingerprint ?? 'f'}${String(batch * 1000 + i).padStart(15, '0')}`.slice(0, 16),
      };
    }),
  };
}

/**
 * deliveredInstances counts, per instance, how many accepted messages name it. An alert's instance
 * may appear on several lines of its own block (line, description, link), and in no other alert's:
 * so each message counts an instance once, whatever the layout (full or storm).
 */
export function deliveredInstances(fake: FakeWecom, options: SyntheticOptions): Map<string, number> {
  const pattern = new RegExp(`(?<![\\w-])(${options.prefix}-\\d+-\\d+)(?![\\w-])`, 'g');
  const counts = new Map<string, number>();
  for (const send of fake.accepted()) {
    const named = new Set([...String(send.body?.markdown?.content ?? '').matchAll(pattern)].map((match) => match[1]));
    for (const instance of named) counts.set(instance, (counts.get(instance) ?? 0) + 1);
  }
  return counts;
}

/** postWebhook POSTs a body to a running service; 0 when the connection fails (a killed replica). */
export async function postWebhook(baseUrl: string, body: unknown, path = '/webhook/alertmanager'): Promise<number> {
  try {
    const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
