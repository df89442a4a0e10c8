/**
 * The normalized alert (SPEC §5): what every source produces and every template sees.
 * Sources fill it from their native payloads; nothing downstream knows which payload it came from
 * except through `source`.
 */
export type SourceName = 'alertmanager' | 'grafana' | 'kibana' | 'api';
export type AlertStatus = 'firing' | 'resolved';

export interface AlertLinks {
  source?: string;
  dashboard?: string;
  panel?: string;
  silence?: string;
  runbook?: string;
  image?: string;
}

export interface Alert {
  source: SourceName;
  status: AlertStatus;
  name: string;
  severity: string;
  summary: string;
  description: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO 8601 instant. */
  startsAt: string;
  /** ISO 8601 instant; absent while firing. */
  endsAt?: string;
  /** Stable per alert identity; used for dedup and for "nothing lost" accounting. */
  fingerprint: string;
  /** A short human string where the source has one, e.g. `B=44.2, C=1`. */
  value?: string;
  links: AlertLinks;
  /**
   * Why a resolution is not a recovery (Grafana `grafana_state_reason`: MissingSeries, RuleDeleted, …).
   * Templates show it instead of "已恢复".
   */
  resolvedReason?: string;
  /**
   * Set when the alert is not a threshold breach but a problem of the evaluation itself: Grafana's
   * `DatasourceNoData` / `DatasourceError` alerts, or a firing alert whose `grafana_state_reason` is
   * `NoData` / `Error` (rules configured "No Data → Alerting", "Error → Alerting"). Templates say so
   * in words instead of presenting it as a real breach.
   */
  problem?: 'nodata' | 'error';
  /** The evaluation error text (Grafana's `Error` annotation, e.g. `connection refused`). */
  errorText?: string;
}

/**
 * One inbound payload after parsing: the alerts plus the group-level data a source carries.
 * `skipped` explains a payload accepted but deliberately not delivered (Grafana legacy `paused`).
 */
export interface ParsedPayload {
  source: SourceName;
  alerts: Alert[];
  groupKey?: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  truncatedAlerts: number;
  /** The sender's own title of the group (Grafana `title`), when it has one. */
  senderTitle?: string;
  /** The sender's own group message (Grafana contact point `message`), when it has one. */
  senderMessage?: string;
  skipped?: string;
  /**
   * A short message to deliver instead of alerts (routed like one of this source's alerts): the
   * notice that a Kibana connector Test tab request arrived, see src/sources/kibana/connector-test.ts.
   */
  notice?: { title: string; content: string };
}
