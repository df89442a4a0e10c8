import type { Alert } from '../../model/alert';
import { nonEmpty } from '../common';

/**
 * Grafana's evaluation failures (grafana/grafana `pkg/services/ngalert/state/compat.go`,
 * `state/state.go`). With a rule's defaults ("No data → No Data", "Error → Error") Grafana sends a
 * separate alert named `DatasourceNoData` / `DatasourceError` whose `rulename` label holds the
 * affected rule, and whose `Error` annotation holds the query error. With "→ Alerting" (or Keep Last
 * State) the rule's own alert fires with the annotation `grafana_state_reason` = `NoData` / `Error`
 * (`NoData, KeepLast`, `Error, KeepLast`), which is no threshold breach either.
 */
export const NO_DATA_ALERT_NAME = 'DatasourceNoData';
export const ERROR_ALERT_NAME = 'DatasourceError';
/** RULE_NAME_LABEL: where Grafana keeps the rule's own alertname on the special alerts. */
export const RULE_NAME_LABEL = 'rulename';
/** ERROR_ANNOTATION: the evaluation error text Grafana adds (`State.AddErrorInformation`). */
export const ERROR_ANNOTATION = 'Error';
/** STATE_REASON_ANNOTATION: why the alert state differs from the evaluation state. */
export const STATE_REASON_ANNOTATION = 'grafana_state_reason';

export interface EvaluationProblem {
  problem: NonNullable<Alert['problem']>;
  /** The affected rule when the alert is Grafana's special one, else undefined (keep alertname). */
  ruleName?: string;
  errorText?: string;
}

/**
 * evaluationProblem tells whether a Grafana alert reports an evaluation problem rather than a
 * breach. The special alerts keep their problem when resolved (the data came back); a rule's own
 * alert counts only while firing, since a resolution's reason is shown as `resolvedReason`.
 */
export function evaluationProblem(status: Alert['status'], labels: Record<string, string>, annotations: Record<string, string>): EvaluationProblem | undefined {
  const errorText = nonEmpty(annotations[ERROR_ANNOTATION])?.trim();
  const ruleName = nonEmpty(labels[RULE_NAME_LABEL]);
  if (labels.alertname === NO_DATA_ALERT_NAME) return { problem: 'nodata', ruleName, errorText };
  if (labels.alertname === ERROR_ALERT_NAME) return { problem: 'error', ruleName, errorText };
  if (status !== 'firing') return undefined;
  // `NoData`, `Error`, or a Keep Last State combination such as `NoData, KeepLast` (models.ConcatReasons).
  const reasons = (annotations[STATE_REASON_ANNOTATION] ?? '').split(',').map((reason) => reason.trim());
  if (reasons.includes('NoData')) return { problem: 'nodata', errorText };
  if (reasons.includes('Error')) return { problem: 'error', errorText };
  return undefined;
}
