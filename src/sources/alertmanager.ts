import { z } from 'zod';
import type { Alert, ParsedPayload } from '../model/alert';
import { labelsFingerprint } from '../model/fingerprint';
import type { SourceParser } from './types';
import { alertmanagerAlertShape, nonEmpty, resolvedEndsAt, silenceLink, stringMap, toIso } from './common';
import { payloadError } from './zod-error';

/**
 * Alertmanager `webhook_configs` payload, version "4" (prometheus/alertmanager
 * notify/webhook/webhook.go `Message` + template/template.go `Data`). Unknown and newer fields
 * (`notification_reason` 0.32, `routeLabels` 0.34) are accepted and ignored.
 */
const alertSchema = z.object(alertmanagerAlertShape);

const payloadSchema = z.object({
  version: z.literal('4', { message: 'must be "4" (Alertmanager webhook payload version)' }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: stringMap.optional(),
  commonLabels: stringMap.optional(),
  commonAnnotations: stringMap.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema),
});

type AmAlert = z.output<typeof alertSchema>;

export const alertmanagerSource: SourceParser = {
  name: 'alertmanager',
  parse(body: unknown): ParsedPayload {
    const result = payloadSchema.safeParse(body);
    if (!result.success) throw payloadError(result.error, 'Alertmanager payload');
    const payload = result.data;
    const externalURL = nonEmpty(payload.externalURL);
    return {
      source: 'alertmanager',
      alerts: payload.alerts.map((alert) => normalizeAlert(alert, externalURL)),
      groupKey: payload.groupKey,
      groupLabels: payload.groupLabels ?? {},
      commonLabels: payload.commonLabels ?? {},
      commonAnnotations: payload.commonAnnotations ?? {},
      externalURL,
      truncatedAlerts: payload.truncatedAlerts ?? 0,
    };
  },
};

function normalizeAlert(alert: AmAlert, externalURL: string | undefined): Alert {
  const annotations = alert.annotations ?? {};
  const labels = alert.labels;
  const endsAt = resolvedEndsAt(alert.status, alert.endsAt);
  return {
    source: 'alertmanager',
    status: alert.status,
    name: labels.alertname ?? nonEmpty(annotations.summary) ?? '(未命名告警)',
    severity: (labels.severity ?? '').toLowerCase(),
    summary: annotations.summary ?? '',
    description: annotations.description ?? annotations.message ?? '',
    labels,
    annotations,
    startsAt: toIso(alert.startsAt),
    endsAt,
    fingerprint: nonEmpty(alert.fingerprint) ?? labelsFingerprint(labels),
    value: nonEmpty(annotations.value),
    links: {
      source: nonEmpty(alert.generatorURL),
      runbook: nonEmpty(annotations.runbook_url),
      dashboard: nonEmpty(annotations.dashboard_url),
      silence: silenceLink(externalURL, labels),
    },
  };
}
