import { z } from 'zod';
import type { Alert, ParsedPayload } from '../../model/alert';
import { labelsFingerprint } from '../../model/fingerprint';
import { alertmanagerAlertShape, nonEmpty, resolvedEndsAt, stringMap, toIso } from '../common';
import { payloadError } from '../zod-error';
import { ownMessage, ownTitle } from './sender-text';
import { evaluationProblem } from './evaluation-problem';

/**
 * Grafana unified alerting webhook, version "1" (grafana/alerting `receivers/webhook/v1/webhook.go`
 * `webhookMessage` + `templates/template_data.go` `ExtendedAlert`). Optional and newer fields
 * (`values`, per-alert `orgId`, `ruleUID`, `enrichments`, `appVersion`) are accepted; unknown ones are
 * ignored. See payloads.md §2.1.
 */
const optionalText = z.string().nullish();

const alertSchema = z.object({
  ...alertmanagerAlertShape,
  silenceURL: optionalText,
  dashboardURL: optionalText,
  panelURL: optionalText,
  imageURL: optionalText,
  // refID → number; Grafana marshals float64, `null` tolerated for hand-written senders.
  values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).nullish(),
  valueString: optionalText,
  orgId: z.number().nullish(),
});

const payloadSchema = z
  .object({
    version: z.literal('1', {
      message: 'must be "1" (Grafana unified alerting webhook); an Alertmanager payload (version "4") belongs on /webhook/alertmanager',
    }),
    groupKey: z.string().optional(),
    truncatedAlerts: z.number().int().nonnegative().optional(),
    status: z.enum(['firing', 'resolved']).optional(),
    receiver: z.string().optional(),
    orgId: z.number().optional(),
    state: z.string().optional(),
    title: z.string().optional(),
    message: z.string().optional(),
    groupLabels: stringMap.optional(),
    commonLabels: stringMap.optional(),
    commonAnnotations: stringMap.optional(),
    externalURL: z.string().nullish(),
    alerts: z.array(alertSchema),
  })
  .superRefine((payload, ctx) => {
    // payloads.md §0: the unified shape carries `orgId` or a group `state` of alerting/ok.
    if (payload.orgId === undefined && payload.state !== 'alerting' && payload.state !== 'ok') {
      ctx.addIssue({ code: 'custom', path: ['orgId'], message: 'required (Grafana unified payloads carry orgId and state "alerting"|"ok")' });
    }
  });

type GrafanaAlert = z.output<typeof alertSchema>;

/** PRIVATE_KEY matches Grafana's private `__…__` labels and annotations, which never reach an alert. */
const PRIVATE_KEY = /^__.*__$/;

/** withoutPrivate drops Grafana's private `__…__` keys (e.g. `__alert_rule_uid__`). */
export function withoutPrivate(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) if (!PRIVATE_KEY.test(key)) out[key] = value;
  return out;
}

/** parseGrafanaUnified validates and normalizes a unified alerting payload; throws HttpError 400 with the failing path. */
export function parseGrafanaUnified(body: unknown): ParsedPayload {
  const result = payloadSchema.safeParse(body);
  if (!result.success) throw payloadError(result.error, 'Grafana unified alerting payload');
  const payload = result.data;
  return {
    source: 'grafana',
    alerts: payload.alerts.map(normalizeAlert),
    groupKey: payload.groupKey,
    groupLabels: withoutPrivate(payload.groupLabels ?? {}),
    commonLabels: withoutPrivate(payload.commonLabels ?? {}),
    commonAnnotations: withoutPrivate(payload.commonAnnotations ?? {}),
    externalURL: nonEmpty(payload.externalURL),
    // "Max alerts" on the contact point: how many alerts Grafana left out of this body.
    truncatedAlerts: payload.truncatedAlerts ?? 0,
    // Grafana's default title and message only repeat label values; keep what a user wrote.
    senderTitle: ownTitle(payload.title, payload.groupLabels ?? {}, payload.commonLabels ?? {}),
    senderMessage: ownMessage(payload.message),
  };
}

function normalizeAlert(alert: GrafanaAlert): Alert {
  const labels = withoutPrivate(alert.labels);
  const annotations = withoutPrivate(alert.annotations ?? {});
  const resolved = alert.status === 'resolved';
  const problem = evaluationProblem(alert.status, labels, annotations);
  return {
    source: 'grafana',
    status: alert.status,
    // DatasourceNoData / DatasourceError name the rule whose evaluation failed.
    name: problem?.ruleName ?? nonEmpty(labels.alertname) ?? nonEmpty(annotations.summary) ?? '(未命名告警)',
    severity: (labels.severity ?? '').toLowerCase(),
    summary: annotations.summary ?? '',
    description: annotations.description ?? annotations.message ?? '',
    labels,
    annotations,
    startsAt: toIso(alert.startsAt),
    endsAt: resolvedEndsAt(alert.status, alert.endsAt),
    // Grafana's fingerprint also covers the stripped private labels, so never recompute a given one.
    fingerprint: nonEmpty(alert.fingerprint) ?? labelsFingerprint(labels),
    // During No Data / Error Grafana fills `values` with -1 placeholders (state.go SetNextValues): no value to show.
    value: problem ? undefined : (formatValues(alert.values) ?? valueFromString(alert.valueString)),
    links: {
      source: nonEmpty(alert.generatorURL),
      dashboard: nonEmpty(alert.dashboardURL),
      panel: nonEmpty(alert.panelURL),
      silence: nonEmpty(alert.silenceURL),
      runbook: nonEmpty(annotations.runbook_url),
      image: nonEmpty(alert.imageURL),
    },
    // Not a recovery by condition: MissingSeries, RuleDeleted, Paused, Updated, … (payloads.md §2.1).
    resolvedReason: resolved ? nonEmpty(annotations.grafana_state_reason) : undefined,
    ...(problem ? { problem: problem.problem } : {}),
    ...(problem?.errorText ? { errorText: problem.errorText } : {}),
  };
}

/** formatValues renders `{"B":44.2,"C":1}` as `B=44.2, C=1`, sorted by refID like Grafana's own template. */
export function formatValues(values: Record<string, number | string | null> | null | undefined): string | undefined {
  if (!values) return undefined;
  const keys = Object.keys(values).sort();
  if (keys.length === 0) return undefined;
  return keys.map((key) => `${key}=${values[key] === null ? 'null' : String(values[key])}`).join(', ');
}

/**
 * valueFromString parses the legacy `valueString`
 * (`[ var='B' labels={…} value=512 ], [ var='C' labels={…} value=1 ]`) into `B=512, C=1`;
 * an unparseable non-empty string is returned as it is.
 */
export function valueFromString(valueString: string | null | undefined): string | undefined {
  const text = nonEmpty(valueString);
  if (!text) return undefined;
  const pairs: string[] = [];
  for (const match of text.matchAll(/var='([^']*)'.*?\bvalue=([^\s\],]+)/g)) pairs.push(`${match[1]}=${match[2]}`);
  return pairs.length > 0 ? pairs.join(', ') : text.trim();
}
