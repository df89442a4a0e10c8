import type { SourceParser } from './types';
import { alertmanagerSource } from './alertmanager';
import { grafanaSource } from './grafana';
import { kibanaSource } from './kibana';

/** SOURCES: every inbound webhook source by URL name (SPEC §3). */
export const SOURCES: Record<string, SourceParser> = {
  alertmanager: alertmanagerSource,
  grafana: grafanaSource,
  kibana: kibanaSource,
};

export function findSource(name: string): SourceParser | undefined {
  return Object.prototype.hasOwnProperty.call(SOURCES, name) ? SOURCES[name] : undefined;
}
