import type { ParsedPayload } from '../../model/alert';

/**
 * Kibana's connector **Test** tab posts the action body exactly as typed: there is no rule, so the
 * Mustache template is not rendered and `{{rule.id}}`, `{{alert.actionGroup}}`, `{{context.message}}`
 * arrive literally. A real rule action never does that — Kibana renders every tag, and a missing
 * variable becomes `""` — so a published identity field that still holds a Mustache tag is a test.
 *
 * The adapter answers 200 and delivers a short notice instead of an alert: the Test tab then proves
 * the whole path (URL, auth, routing, the WeCom robot) end to end, and no `{{…}}` ever reaches a
 * chat as alert text. A 4xx would show the user an error for a setup that works.
 */

/** MUSTACHE_TAG: an unrendered Mustache tag such as `{{rule.id}}`, `{{{context}}}` or `{{#context.hits}}`. */
const MUSTACHE_TAG = /\{\{\{?\s*[#^/&!]?\s*[\w.@-]+\s*\}?\}\}/;

/** IDENTITY_PATHS: fields of both published bodies that a rendered action always fills with data. */
const IDENTITY_PATHS: ReadonlyArray<readonly string[]> = [['rule', 'id'], ['rule', 'name'], ['alert', 'action_group'], ['alert', 'id'], ['date']];

/** CONNECTOR_TEST_TITLE / _CONTENT: the notice delivered for a Test tab request. */
export const CONNECTOR_TEST_TITLE = 'Kibana 连接器测试已收到 / Kibana connector test received';
export const CONNECTOR_TEST_CONTENT = [
  'Kibana 连接器的“测试”请求已送达：地址、认证与企业微信机器人均可用。',
  '“测试”页不渲染 Mustache 变量（rule.name、context.message 等原样发送），所以这里不显示告警内容；要看真实告警，请把本连接器加到规则的动作里并让规则触发。',
  'The connector Test tab reached WeCom: URL, auth and the robot work. The Test tab does not render Mustache variables, so no alert is shown; to see a real alert, add this connector as a rule action and let the rule fire.',
].join('\n');

function at(body: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** unrenderedFields lists the identity fields that still hold a Mustache tag (dotted paths). */
export function unrenderedFields(body: Record<string, unknown>): string[] {
  return IDENTITY_PATHS.filter((path) => {
    const value = at(body, path);
    return typeof value === 'string' && MUSTACHE_TAG.test(value);
  }).map((path) => path.join('.'));
}

/** isConnectorTest: the body is our Kibana rule body posted unrendered by the connector's Test tab. */
export function isConnectorTest(body: Record<string, unknown>): boolean {
  return unrenderedFields(body).length > 0;
}

/** connectorTestPayload: no alerts, one notice for the receiver Kibana alerts route to. */
export function connectorTestPayload(body: Record<string, unknown>): ParsedPayload {
  const fields = unrenderedFields(body);
  return {
    source: 'kibana',
    alerts: [],
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    truncatedAlerts: 0,
    notice: { title: CONNECTOR_TEST_TITLE, content: CONNECTOR_TEST_CONTENT },
    skipped: `Kibana connector test (unrendered Mustache in ${fields.join(', ')}): delivered a test notice instead of an alert; the Test tab does not render Mustache`,
  };
}
