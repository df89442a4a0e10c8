import type { CardAlert } from './action-store';

/**
 * Creating a silence where the alert lives:
 * - Alertmanager API v2 `POST /api/v2/silences` (prometheus/alertmanager api/v2/openapi.yaml:
 *   `postableSilence` = matchers[{name, value, isRegex, isEqual}], startsAt, endsAt, createdBy,
 *   comment → 200 `{"silenceID": "…"}`), at `callback.alertmanager_url` or the payload's externalURL;
 * - Grafana-managed alerts through Grafana's Alertmanager-compatible API
 *   `POST /api/alertmanager/grafana/api/v2/silences` with a service-account token (Bearer).
 * A failure is returned as a sentence (shown on the card, logged), never thrown away.
 */
export interface SilenceRequest {
  alert: CardAlert;
  /** Label names to match on (empty: every label). */
  matchLabels: string[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface SilenceTarget {
  kind: 'alertmanager' | 'grafana';
  /** Base URL (Alertmanager externalURL or Grafana root URL). */
  url: string;
  token?: string;
}

export type SilenceOutcome = { ok: true; id: string; link: string } | { ok: false; error: string };

export interface Matcher {
  name: string;
  value: string;
  isRegex: false;
  isEqual: true;
}

/** matchersOf: equality matchers on the chosen labels (all labels when none of them is present). */
export function matchersOf(labels: Record<string, string>, names: string[]): Matcher[] {
  const chosen = names.length > 0 ? names.filter((name) => labels[name] !== undefined && labels[name] !== '') : [];
  const keys = chosen.length > 0 ? chosen : Object.keys(labels).filter((name) => labels[name] !== '');
  return keys.sort().map((name) => ({ name, value: labels[name], isRegex: false, isEqual: true }));
}

/** silencesPath: where each kind takes silences. */
function silencesUrl(target: SilenceTarget): string {
  const base = target.url.replace(/\/+$/, '');
  return target.kind === 'grafana' ? `${base}/api/alertmanager/grafana/api/v2/silences` : `${base}/api/v2/silences`;
}

/** silenceLink: the page where the silence can be seen and expired. */
export function silenceLink(target: SilenceTarget, id: string): string {
  const base = target.url.replace(/\/+$/, '');
  return target.kind === 'grafana' ? `${base}/alerting/silence/${encodeURIComponent(id)}/edit` : `${base}/#/silences/${encodeURIComponent(id)}`;
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

export class SilenceClient {
  constructor(
    private readonly timeoutMs = 3000,
    private readonly fetcher: FetchLike = fetch as unknown as FetchLike,
  ) {}

  async create(target: SilenceTarget, request: SilenceRequest): Promise<SilenceOutcome> {
    const matchers = matchersOf(request.alert.labels, request.matchLabels);
    if (matchers.length === 0) return { ok: false, error: 'the alert has no labels to match a silence on' };
    const body = JSON.stringify({
      matchers,
      startsAt: new Date(request.startsAt).toISOString(),
      endsAt: new Date(request.endsAt).toISOString(),
      createdBy: request.createdBy,
      comment: request.comment,
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (target.token) headers.authorization = `Bearer ${target.token}`;
    const where = `${target.kind} ${new URL(target.url).host}`;
    let status: number;
    let text: string;
    try {
      const response = await this.fetcher(silencesUrl(target), { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (err) {
      const name = (err as Error)?.name;
      return { ok: false, error: name === 'TimeoutError' || name === 'AbortError' ? `${where} did not answer within ${this.timeoutMs} ms` : `${where} unreachable: ${String((err as Error)?.message ?? err).slice(0, 120)}` };
    }
    if (status < 200 || status >= 300) return { ok: false, error: `${where} answered HTTP ${status}: ${text.replace(/\s+/g, ' ').slice(0, 160)}` };
    let id: unknown;
    try {
      id = (JSON.parse(text) as { silenceID?: unknown }).silenceID;
    } catch {
      id = undefined;
    }
    if (typeof id !== 'string' || !id) return { ok: false, error: `${where} answered without a silenceID` };
    return { ok: true, id, link: silenceLink(target, id) };
  }
}
