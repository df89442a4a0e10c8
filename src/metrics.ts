import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Metrics (SPEC §7; names are part of the contract). Created against an injected registry so tests
 * read their own, and pre-created at zero for known receivers so dashboards and rate() work from
 * the first scrape.
 */
export type NotificationOutcome = 'sent' | 'failed' | 'retried' | 'deduplicated';

export interface Metrics {
  registry: Registry;
  webhookRequests: Counter<'source' | 'code'>;
  alertsReceived: Counter<'source' | 'status'>;
  notifications: Counter<'receiver' | 'outcome'>;
  wecomErrors: Counter<'receiver' | 'errcode'>;
  sendDuration: Histogram<'receiver'>;
  outboxPending: Gauge<'receiver'>;
  deadLetters: Gauge<'receiver'>;
  tokenRefreshes: Counter<'receiver'>;
  invalidRecipients: Counter<'receiver' | 'kind'>;
  possibleDuplicates: Counter<'receiver'>;
  configReloadSuccessful: Gauge;
  configReloadTime: Gauge;
  /** Receivers whose gauges are reported at zero even when idle. */
  knownReceivers: Set<string>;
}

export interface MetricsOptions {
  /** Gauges filled on scrape from the outbox store. */
  pendingCounts?: () => Promise<Record<string, number>>;
  deadCounts?: () => Promise<Record<string, number>>;
  defaultMetrics?: boolean;
}

export function createMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}): Metrics {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const knownReceivers = new Set<string>();
  const metrics: Metrics = {
    registry,
    webhookRequests: new Counter({ name: 'wecom_adapter_webhook_requests_total', help: 'Inbound webhook requests by source and HTTP status code.', labelNames: ['source', 'code'], registers: [registry] }),
    alertsReceived: new Counter({ name: 'wecom_adapter_alerts_received_total', help: 'Alerts received, by source and status.', labelNames: ['source', 'status'], registers: [registry] }),
    notifications: new Counter({ name: 'wecom_adapter_notifications_total', help: 'Notification outcomes per receiver: sent, failed (permanently), retried, deduplicated.', labelNames: ['receiver', 'outcome'], registers: [registry] }),
    wecomErrors: new Counter({ name: 'wecom_adapter_wecom_errors_total', help: 'Failed WeCom calls by receiver and errcode (or http_NNN, network, timeout).', labelNames: ['receiver', 'errcode'], registers: [registry] }),
    sendDuration: new Histogram({
      name: 'wecom_adapter_send_duration_seconds',
      help: 'Duration of one WeCom send call.',
      labelNames: ['receiver'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: 'wecom_adapter_outbox_pending',
      help: 'Notifications queued in the outbox per receiver.',
      labelNames: ['receiver'],
      registers: [registry],
      async collect() {
        if (!options.pendingCounts) return;
        const counts = await options.pendingCounts();
        for (const receiver of new Set([...knownReceivers, ...Object.keys(counts)])) this.set({ receiver }, counts[receiver] ?? 0);
      },
    }),
    deadLetters: new Gauge({
      name: 'wecom_adapter_dead_letters',
      help: 'Notifications in the dead-letter list per receiver (failed permanently; requeue with the dead-letters command).',
      labelNames: ['receiver'],
      registers: [registry],
      async collect() {
        if (!options.deadCounts) return;
        const counts = await options.deadCounts();
        for (const receiver of new Set([...knownReceivers, ...Object.keys(counts)])) this.set({ receiver }, counts[receiver] ?? 0);
      },
    }),
    tokenRefreshes: new Counter({ name: 'wecom_adapter_token_refreshes_total', help: 'App access-token fetches per receiver.', labelNames: ['receiver'], registers: [registry] }),
    invalidRecipients: new Counter({ name: 'wecom_adapter_invalid_recipients_total', help: 'Recipients WeCom reported invalid in otherwise successful app sends (invaliduser, invalidparty, invalidtag, unlicenseduser).', labelNames: ['receiver', 'kind'], registers: [registry] }),
    possibleDuplicates: new Counter({ name: 'wecom_adapter_possible_duplicates_total', help: 'Notifications sent again after a crash interrupted their send (they may have been delivered twice).', labelNames: ['receiver'], registers: [registry] }),
    configReloadSuccessful: new Gauge({ name: 'wecom_adapter_config_last_reload_successful', help: 'Whether the last configuration reload succeeded (1) or failed (0).', registers: [registry] }),
    configReloadTime: new Gauge({ name: 'wecom_adapter_config_last_reload_success_timestamp_seconds', help: 'Time of the last successful configuration load.', registers: [registry] }),
    knownReceivers,
  };
  metrics.configReloadSuccessful.set(1);
  metrics.configReloadTime.set(Date.now() / 1000);
  return metrics;
}

/** initReceivers pre-creates per-receiver series at zero. */
export function initReceivers(metrics: Metrics, receivers: { name: string; kind: string }[]): void {
  metrics.knownReceivers.clear();
  for (const { name, kind } of receivers) {
    metrics.knownReceivers.add(name);
    for (const outcome of ['sent', 'failed', 'retried', 'deduplicated'] as const) metrics.notifications.inc({ receiver: name, outcome }, 0);
    metrics.sendDuration.zero({ receiver: name });
    if (kind === 'app') metrics.tokenRefreshes.inc({ receiver: name }, 0);
  }
}
