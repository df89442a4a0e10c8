import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedPayload } from '../../src/model/alert';
import type { AlertNotification } from '../../src/model/notification';
import { orderAlerts } from '../../src/render/alert-order';
import { DEFAULT_SEVERITY_SCHEME } from '../../src/render/severity';

export const FIXTURES_DIR = join(__dirname, '../fixtures/payloads');

/** loadFixture reads a payload fixture as parsed JSON. */
export function loadFixture(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name), 'utf8'));
}

/** rawFixture reads a payload fixture's exact bytes. */
export function rawFixture(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), 'utf8');
}

/** notificationOf wraps a parsed payload as one notification for a receiver, alerts in reading order as the pipeline puts them. */
export function notificationOf(parsed: ParsedPayload, receiver = 'test', template: string = parsed.source): AlertNotification {
  return {
    kind: 'alerts',
    source: parsed.source,
    receiver,
    template,
    groupKey: parsed.groupKey,
    alerts: orderAlerts(parsed.alerts, DEFAULT_SEVERITY_SCHEME),
    groupLabels: parsed.groupLabels,
    commonLabels: parsed.commonLabels,
    commonAnnotations: parsed.commonAnnotations,
    externalURL: parsed.externalURL,
    truncatedAlerts: parsed.truncatedAlerts,
    ...(parsed.senderTitle ? { senderTitle: parsed.senderTitle } : {}),
    ...(parsed.senderMessage ? { senderMessage: parsed.senderMessage } : {}),
  };
}

/** A fixed clock for golden output: 2025-03-18 12:00:00 +08:00. */
export const FIXED_NOW = Date.parse('2025-03-18T04:00:00Z');
