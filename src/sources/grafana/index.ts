import type { ParsedPayload } from '../../model/alert';
import { badPayload } from '../../errors/http-error';
import { parseGrafanaLegacy } from './legacy';
import { parseGrafanaUnified } from './unified';
import type { SourceParser } from '../types';

/**
 * grafanaSource parses `POST /webhook/grafana`: unified alerting (version "1", `alerts[]`) and legacy
 * dashboard alerts (`ruleId`, `ruleName`, `state`, no `alerts`), told apart by shape (payloads.md §0).
 * A body with `alerts` is always judged as unified so the error names the failing field
 * (an Alertmanager body fails on `version`).
 */
export const grafanaSource: SourceParser = {
  name: 'grafana',
  parse(body: unknown, now: Date): ParsedPayload {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badPayload('invalid Grafana payload: expected a JSON object (Grafana unified or legacy webhook body)');
    }
    if ('alerts' in body) return parseGrafanaUnified(body);
    if ('ruleId' in body || 'ruleName' in body || 'evalMatches' in body) return parseGrafanaLegacy(body, now);
    throw badPayload(
      'invalid Grafana payload: alerts: required (expected a Grafana unified alerting webhook body with "version":"1" and alerts[], ' +
        'or a legacy Grafana alert with ruleId, ruleName and state)',
      'alerts',
    );
  },
};
