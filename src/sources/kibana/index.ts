import type { ParsedPayload } from '../../model/alert';
import { badPayload } from '../../errors/http-error';
import { connectorTestPayload, isConnectorTest } from './connector-test';
import { parseKibanaRule } from './rule';
import { parseWatcherBody, parseWatcherContext } from './watcher';
import type { SourceParser } from '../types';

/** EXPECTED names the bodies `/webhook/kibana` accepts, for error messages (docs/integrations.md). */
const EXPECTED =
  'expected the Kibana rule connector body ("source":"kibana", examples/kibana/kibana-webhook-body.mustache), ' +
  'the Elasticsearch Watcher body ("source":"elasticsearch-watcher", examples/watcher/watch.json) ' +
  'or the raw Watcher context {{#toJson}}ctx{{/toJson}} (with watch_id)';

/**
 * kibanaSource parses `POST /webhook/kibana`: Kibana rule actions and Elasticsearch Watcher bodies,
 * told apart by shape (payloads.md §0): `source`, else `rule.id` + `alert.action_group`, else
 * `watch_id` + `execution_id` (recommended Watcher body), else `watch_id` (raw ctx, lenient).
 * A rule body whose identity fields still hold Mustache tags is the connector's Test tab
 * (connector-test.ts): it is answered with a notice, never parsed as an alert.
 */
export const kibanaSource: SourceParser = {
  name: 'kibana',
  parse(body: unknown, now: Date): ParsedPayload {
    if (!isObject(body)) throw badPayload(`invalid Kibana payload: not a JSON object; ${EXPECTED}`);
    // The connector's Test tab posts the rule body with its Mustache tags unrendered.
    if (body.source !== 'elasticsearch-watcher' && isConnectorTest(body)) return connectorTestPayload(body);
    if ('source' in body) {
      if (body.source === 'kibana') return parseKibanaRule(body, now);
      if (body.source === 'elasticsearch-watcher') return parseWatcherBody(body, now);
      throw badPayload(`invalid Kibana payload: source: must be "kibana" or "elasticsearch-watcher"; ${EXPECTED}`, 'source');
    }
    if ('rule' in body || 'alert' in body) return parseKibanaRule(body, now);
    if ('watch_id' in body) return 'execution_id' in body ? parseWatcherBody(body, now) : parseWatcherContext(body, now);
    if ('hits' in body || '_shards' in body || 'aggregations' in body) {
      // {{#toJson}}ctx.payload{{/toJson}} alone (the Elastic docs example) cannot be identified.
      throw badPayload(
        `invalid Kibana payload: watch_id: required — this looks like a bare Watcher search result ({{#toJson}}ctx.payload{{/toJson}}), which carries no watch_id; ${EXPECTED}`,
        'watch_id',
      );
    }
    throw badPayload(`invalid Kibana payload: source: required; ${EXPECTED}`, 'source');
  },
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
