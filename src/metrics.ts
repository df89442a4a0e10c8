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
  outboxUnreadable: Counter<'receiver'>;
  storageProblems: Counter<'file' | 'problem'>;
  historyDropped: Counter<'reason'>;
  /** State-changing requests refused as cross-site (CSRF): foreign Origin, cross-site fetch, form body on /-/reload. */
  csrfRefused: Counter<'path' | 'reason'>;
  /** Failed inbound authentication: missing / wrong credentials (401) and throttled addresses (429). */
  authFailures: Counter<'outcome'>;
  /** Resolutions dropped because their alert was not known to be firing (Watcher two-action pattern). */
  resolutionsSuppressed: Counter<'source'>;
  /** Webhooks to `/webhook/{source}/{receiver}` naming no configured receiver (answered 404). */
  unknownReceiver: Counter<'source' | 'receiver'>;
  configReloadSuccessful: Gauge;
  configReloadTime: Gauge;
  /** WeCom callbacks (/wecom/callback/{receiver}) by outcome: verified, clicked, duplicate, ignored, or the rejection reason. */
  callbacks: Counter<'receiver' | 'outcome'>;
  /** Actions from cards: ack, silence, escalate by result (ok, failed, denied, duplicate). */
  actions: Counter<'receiver' | 'action' | 'result'>;
  /** Seconds from an alert's start to its first acknowledgement. */
  timeToAck: Histogram<'receiver'>;
  /** Silences created from cards, by target (alertmanager, grafana) and outcome (created, failed). */
  silences: Counter<'receiver' | 'target' | 'outcome'>;
  /** Escalation steps taken (notified) or ended (acknowledged, resolved, exhausted, failed). */
  escalations: Counter<'route' | 'outcome'>;
  /** update_template_card calls by outcome (updated, failed). */
  cardUpdates: Counter<'receiver' | 'outcome'>;
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
    resolutionsSuppressed: new Counter({ name: 'wecom_adapter_resolutions_suppressed_total', help: 'Resolutions not delivered because their alert was not known to be firing (Elasticsearch Watcher resolve actions on healthy runs).', labelNames: ['source'], registers: [registry] }),
    unknownReceiver: new Counter({ name: 'wecom_adapter_unknown_receiver_total', help: 'Webhooks to /webhook/{source}/{receiver} with a receiver that is not configured (answered 404; the sender drops them). Receiver names beyond a bound are counted as "other".', labelNames: ['source', 'receiver'], registers: [registry] }),
    csrfRefused: new Counter({ name: 'wecom_adapter_csrf_refused_total', help: 'State-changing requests refused as cross-site: reason foreign_origin, cross_site (Sec-Fetch-Site) or form_body (/-/reload).', labelNames: ['path', 'reason'], registers: [registry] }),
    authFailures: new Counter({ name: 'wecom_adapter_auth_failures_total', help: 'Failed inbound authentication by outcome: missing or wrong credentials (401), throttled (429 after server.auth.throttle.max_failures).', labelNames: ['outcome'], registers: [registry] }),
    possibleDuplicates: new Counter({ name: 'wecom_adapter_possible_duplicates_total', help: 'Notifications sent again after a crash interrupted their send (they may have been delivered twice).', labelNames: ['receiver'], registers: [registry] }),
    outboxUnreadable: new Counter({ name: 'wecom_adapter_outbox_unreadable_total', help: 'Outbox rows whose stored notification could not be read; moved to dead letters (reason unreadable) so the rest of the queue flows.', labelNames: ['receiver'], registers: [registry] }),
    storageProblems: new Counter({ name: 'wecom_adapter_storage_problems_total', help: 'Damaged storage files found at start and moved aside (file: outbox or history; problem: empty, wal_without_database, malformed).', labelNames: ['file', 'problem'], registers: [registry] }),
    historyDropped: new Counter({ name: 'wecom_adapter_history_dropped_total', help: 'Alert-history records not kept (reason: write_failed, cap = storage.history_max_size, disk_full = released to keep the outbox writable).', labelNames: ['reason'], registers: [registry] }),
    configReloadSuccessful: new Gauge({ name: 'wecom_adapter_config_last_reload_successful', help: 'Whether the last configuration reload succeeded (1) or failed (0).', registers: [registry] }),
    configReloadTime: new Gauge({ name: 'wecom_adapter_config_last_reload_success_timestamp_seconds', help: 'Time of the last successful configuration load.', registers: [registry] }),
    callbacks: new Counter({ name: 'wecom_adapter_callbacks_total', help: 'WeCom callback requests by receiver and outcome (verified, clicked, duplicate, ignored, unsigned, bad_signature, stale_timestamp, bad_ciphertext, wrong_corp, wrong_agent, bad_body, unknown_receiver).', labelNames: ['receiver', 'outcome'], registers: [registry] }),
    actions: new Counter({ name: 'wecom_adapter_card_actions_total', help: 'Actions taken from interactive cards by receiver, action (ack, silence) and result (ok, failed, denied, duplicate).', labelNames: ['receiver', 'action', 'result'], registers: [registry] }),
    timeToAck: new Histogram({
      name: 'wecom_adapter_time_to_ack_seconds',
      help: 'Time from an alert starting to its first acknowledgement from a WeCom card.',
      labelNames: ['receiver'],
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400],
      registers: [registry],
    }),
    silences: new Counter({ name: 'wecom_adapter_silences_total', help: 'Silences requested from WeCom cards by receiver, target (alertmanager, grafana) and outcome (created, failed).', labelNames: ['receiver', 'target', 'outcome'], registers: [registry] }),
    escalations: new Counter({ name: 'wecom_adapter_escalations_total', help: 'Escalation steps by route and outcome (notified, acknowledged, resolved, exhausted, failed).', labelNames: ['route', 'outcome'], registers: [registry] }),
    cardUpdates: new Counter({ name: 'wecom_adapter_card_updates_total', help: 'message/update_template_card calls by receiver and outcome (updated, failed).', labelNames: ['receiver', 'outcome'], registers: [registry] }),
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
    metrics.outboxUnreadable.inc({ receiver: name }, 0);
    if (kind === 'app') metrics.tokenRefreshes.inc({ receiver: name }, 0);
  }
}
