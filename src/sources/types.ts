import type { ParsedPayload, SourceName } from '../model/alert';

/**
 * SourceParser turns one inbound JSON body into normalized alerts (SPEC §5).
 * `parse` throws HttpError 400 (via `badPayload`) naming the failing field path, e.g.
 * `alerts[0].status`; it never throws anything else for any JSON input.
 * `now` is the receive time (used where a source carries no start time, e.g. Grafana legacy).
 */
export interface SourceParser {
  name: Exclude<SourceName, 'api'>;
  parse(body: unknown, now: Date): ParsedPayload;
}
