import { readFileSync } from 'node:fs';
import { resolveConfig } from './resolve-config';
import { buildState } from '../runtime-state';
import { TokenCache } from '../channels/token-cache';
import { previewPayload, type Preview } from '../pipeline/preview';
import { HttpError } from '../http/errors';

/**
 * render: dry run of one payload file (SPEC §2): routing per alert, then every message exactly as
 * it would be sent with its byte count against the limit. Sends nothing.
 */
export function renderCommand(options: { config?: string; source: string; payload: string; json?: boolean; receiver?: string }, out: (line: string) => void = console.log, err: (line: string) => void = console.error): number {
  const { loaded } = resolveConfig(options.config);
  const state = buildState(loaded, { tokens: new TokenCache() });
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(options.payload, 'utf8'));
  } catch (error) {
    err(`${options.payload}: ${(error as Error).message}`);
    return 1;
  }
  let preview: Preview;
  try {
    preview = previewPayload(state, options.source, body, Date.now(), options.receiver);
  } catch (error) {
    if (error instanceof HttpError) {
      err(`${options.payload}: ${error.status === 400 ? 'invalid payload' : 'error'}: ${error.message}${error.path ? ` (at ${error.path})` : ''}`);
      return 1;
    }
    throw error;
  } finally {
    void state.http.close();
  }
  if (options.json) {
    out(JSON.stringify(preview, null, 2));
    return 0;
  }
  printPreview(preview, out);
  return 0;
}

export function printPreview(preview: Preview, out: (line: string) => void): void {
  out(`source: ${preview.source}, ${preview.alerts.length} alert(s)${preview.skipped ? ` — not delivered: ${preview.skipped}` : ''}`);
  out('routing:');
  for (const alert of preview.alerts) {
    const to = alert.receivers.length > 0 ? alert.receivers.join(', ') : '(nothing)';
    const suppressed = alert.suppressed.length > 0 ? ` (resolved not sent to ${alert.suppressed.join(', ')}: send_resolved false)` : '';
    out(`  - ${alert.name} [${alert.status}] ${alert.fingerprint} → ${to} via ${alert.routes.join(', ')}${suppressed}`);
  }
  for (const notification of preview.notifications) {
    out('');
    out(`=== receiver ${notification.receiver} (${notification.kind}, template ${notification.template}): ${notification.messages.length} message(s)`);
    notification.messages.forEach((message, index) => {
      const flags = [message.truncated && 'TRUNCATED', message.companion && 'mention companion'].filter(Boolean).join(', ');
      out(`--- message ${index + 1}/${notification.messages.length}: ${message.msgtype}, ${message.alertCount} alert(s), ${message.bytes}/${message.limit} bytes${flags ? ` [${flags}]` : ''}`);
      out(message.content);
      out(`--- request body: ${JSON.stringify(message.body)}`);
    });
  }
}
