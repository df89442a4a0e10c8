import type { Logger } from 'pino';
import type { CallbackConfig } from '../config/interactive-schema';
import type { Metrics } from '../metrics';
import type { ActionStore, AuditEntry, CardAlert, CardRecord, CardState } from './action-store';
import { ACK_KEY, buttonCard, parseSilenceKey } from './card-builder';
import { clickId, type CardClick } from './card-event';
import { durationLabel } from './card-text';
import type { SilenceClient, SilenceTarget } from './silence-client';

/**
 * CardActions acts on one verified click: claim it (WeCom retries the same event; replicas share
 * the claim) → find the card → check who is asking (callback.allow_users) → acknowledge or silence
 * → record state and audit → then, after the HTTP answer, update the card for every recipient
 * with the click's ResponseCode and tell the optional `notify` receiver.
 */
/** A card update's outcome, like a send's: on failure WeCom's `errcode`, or a `reason` (http_NNN, network, timeout…). */
export interface CardUpdateResult {
  ok: boolean;
  errcode?: number;
  reason?: string;
  error?: string;
}

export interface CardUpdater {
  updateCard(responseCode: string, templateCard: Record<string, unknown>): Promise<CardUpdateResult>;
}

export interface CardActionsDeps {
  store: ActionStore;
  metrics: Metrics;
  logger: Logger;
  clock: () => number;
  silences: SilenceClient;
  /** The current config of a receiver's callback and its card updater (after reloads too). */
  receiver: (name: string) => { callback: CallbackConfig; updater?: CardUpdater } | undefined;
  timezone: () => string;
  /** Sends a short text to a receiver (callback.notify); best effort. */
  notify?: (receiver: string, title: string, content: string) => Promise<void>;
}

export type ClickOutcome = 'clicked' | 'duplicate' | 'denied' | 'ignored';

export interface ClickResult {
  outcome: ClickOutcome;
  /** Work done after WeCom got its answer (card update, notification). */
  after?: () => Promise<void>;
}

/** How long a click is remembered: WeCom's ResponseCode is valid 72 h, retries come within seconds. */
const CLICK_TTL_MS = 72 * 3_600_000;

export class CardActions {
  constructor(private readonly deps: CardActionsDeps) {}

  async handle(receiver: string, click: CardClick): Promise<ClickResult> {
    const settings = this.deps.receiver(receiver);
    if (!settings) return { outcome: 'ignored' };
    const now = this.deps.clock();
    const claim = `click:${clickId(receiver, click)}`;
    if (!(await this.deps.store.claim(claim, now, CLICK_TTL_MS))) return { outcome: 'duplicate' };
    try {
      return await this.act(receiver, click, settings, now);
    } catch (err) {
      // Nothing durable happened (or only part of it): WeCom retries after our 500, and the retry
      // must not be mistaken for a duplicate.
      await this.deps.store.unclaim(claim).catch(() => undefined);
      throw err;
    }
  }

  private async act(receiver: string, click: CardClick, settings: { callback: CallbackConfig; updater?: CardUpdater }, now: number): Promise<ClickResult> {
    const card = await this.deps.store.card(click.taskId);
    const action = click.eventKey === ACK_KEY ? 'ack' : parseSilenceKey(click.eventKey, settings.callback.silence_durations) !== undefined ? 'silence' : undefined;
    const base = { at: now, receiver, user: click.user, target: card ? targetOf(card) : click.taskId };
    if (!card || card.receiver !== receiver || !action) {
      await this.audit({ ...base, action: 'callback', result: 'failed', detail: !card || card.receiver !== receiver ? `unknown card ${click.taskId}` : `unknown button ${click.eventKey.slice(0, 64)}` });
      return { outcome: 'ignored' };
    }
    const allowed = settings.callback.allow_users;
    if (allowed.length > 0 && !allowed.includes(click.user)) {
      this.deps.metrics.actions.inc({ receiver, action, result: 'denied' });
      await this.audit({ ...base, action, result: 'denied', detail: 'not in callback.allow_users' });
      this.deps.logger.warn({ receiver, user: click.user, action }, 'card action refused: user not in callback.allow_users');
      return { outcome: 'denied' };
    }
    const state: CardState = { ...card.state, error: undefined };
    let summary: string;
    if (action === 'ack') summary = await this.acknowledge(receiver, card, click.user, now, state);
    else summary = await this.silence(receiver, card, click.user, parseSilenceKey(click.eventKey, settings.callback.silence_durations)!, settings.callback, now, state);
    await this.deps.store.saveState(card.taskId, state);
    return { outcome: 'clicked', after: () => this.afterwards(receiver, card, state, click, settings, summary) };
  }

  /** acknowledge records the first ack of every alert on the card, and the time it took. */
  private async acknowledge(receiver: string, card: CardRecord, user: string, now: number, state: CardState): Promise<string> {
    let first = 0;
    for (const alert of card.alerts) {
      const recorded = await this.deps.store.recordAck({ fingerprint: alert.fingerprint, startsAt: alert.startsAt, alertName: alert.name, receiver, taskId: card.taskId, user, at: now });
      if (!recorded) continue;
      first++;
      const started = Date.parse(alert.startsAt);
      if (!Number.isNaN(started)) this.deps.metrics.timeToAck.observe({ receiver }, Math.max(0, (now - started) / 1000));
    }
    if (!state.ack) state.ack = { user, at: now };
    this.deps.metrics.actions.inc({ receiver, action: 'ack', result: first > 0 ? 'ok' : 'duplicate' });
    await this.audit({ at: now, receiver, user, action: 'ack', target: targetOf(card), result: first > 0 ? 'ok' : 'duplicate', detail: first > 0 ? `${first} alert(s) acknowledged` : `already acknowledged by ${state.ack.user}` });
    this.deps.logger.info({ receiver, user, task: card.taskId, alerts: card.alerts.length }, 'alert acknowledged from WeCom');
    return `${user} 认领了 ${targetOf(card)}`;
  }

  /** silence creates one silence per distinct matcher set, where each alert lives. */
  private async silence(receiver: string, card: CardRecord, user: string, ms: number, callback: CallbackConfig, now: number, state: CardState): Promise<string> {
    const ids: string[] = [];
    const errors: string[] = [];
    let link: string | undefined;
    // One silence per distinct matcher set, all requested at once: WeCom waits 5 s for the answer
    // and each request times out after 3 s.
    const distinct = new Map<string, CardAlert>();
    for (const alert of card.alerts) {
      const key = JSON.stringify(callback.silence_matchers.length ? callback.silence_matchers.map((name) => alert.labels[name]) : alert.labels);
      if (!distinct.has(key)) distinct.set(key, alert);
    }
    const requests = [...distinct.values()].map(async (alert) => {
      const target = targetFor(alert, callback);
      if (!target) {
        errors.push(`${alert.name}: no silence target (set callback.alertmanager_url${alert.source === 'grafana' ? ' or callback.grafana' : ''})`);
        this.deps.metrics.silences.inc({ receiver, target: alert.source === 'grafana' ? 'grafana' : 'alertmanager', outcome: 'failed' });
        return;
      }
      const outcome = await this.deps.silences.create(target, {
        alert,
        matchLabels: callback.silence_matchers,
        startsAt: now,
        endsAt: now + ms,
        createdBy: user,
        comment: `wecom-alert-adapter: silenced ${durationLabel(ms)} from a WeCom card by ${user} (card ${card.taskId})`,
      });
      this.deps.metrics.silences.inc({ receiver, target: target.kind, outcome: outcome.ok ? 'created' : 'failed' });
      if (outcome.ok) {
        ids.push(outcome.id);
        link ??= outcome.link;
      } else {
        errors.push(outcome.error);
        this.deps.logger.error({ receiver, user, task: card.taskId, target: target.kind, error: outcome.error }, 'silence from a WeCom card failed');
      }
    });
    await Promise.all(requests);
    const ok = ids.length > 0 && errors.length === 0;
    if (ids.length > 0) state.silence = { user, at: now, until: now + ms, ids, ...(link ? { url: link } : {}) };
    if (errors.length > 0) state.error = `静默失败: ${errors[0]}`;
    this.deps.metrics.actions.inc({ receiver, action: 'silence', result: ok ? 'ok' : 'failed' });
    await this.audit({ at: now, receiver, user, action: 'silence', target: targetOf(card), result: ok ? 'ok' : 'failed', detail: [ids.length ? `silence ${ids.join(',')} for ${durationLabel(ms)}` : '', ...errors].filter(Boolean).join('; ') });
    if (ok) this.deps.logger.info({ receiver, user, task: card.taskId, silences: ids }, 'alert silenced from WeCom');
    return ok ? `${user} 静默了 ${targetOf(card)} ${durationLabel(ms)}` : `${user} 静默 ${targetOf(card)} 失败: ${errors[0]}`;
  }

  private async afterwards(receiver: string, card: CardRecord, state: CardState, click: CardClick, settings: { callback: CallbackConfig; updater?: CardUpdater }, summary: string): Promise<void> {
    if (click.responseCode && settings.updater) {
      const body = buttonCard(card.taskId, card.content, card.alerts, { silenceDurations: settings.callback.silence_durations, timezone: this.deps.timezone() }, state);
      const result: CardUpdateResult = await settings.updater
        .updateCard(click.responseCode, body)
        .catch((err: unknown) => ({ ok: false, reason: 'exception', error: String((err as Error)?.message ?? err) }));
      this.deps.metrics.cardUpdates.inc({ receiver, outcome: result.ok ? 'updated' : 'failed' });
      if (!result.ok) {
        // A failed WeCom call like any other: classified in wecom_errors_total by errcode or reason.
        const errcode = result.errcode !== undefined ? String(result.errcode) : (result.reason ?? 'exception');
        this.deps.metrics.wecomErrors.inc({ receiver, errcode });
        this.deps.logger.error({ receiver, task: card.taskId, errcode, error: result.error }, 'could not update the WeCom card after an action');
      }
    }
    const notify = settings.callback.notify;
    if (notify && this.deps.notify) {
      await this.deps.notify(notify, summary, summary).catch((err: unknown) => this.deps.logger.warn({ receiver, notify, err: String(err) }, 'could not queue the action notification'));
    }
  }

  private async audit(entry: AuditEntry): Promise<void> {
    await this.deps.store.audit(entry).catch((err: unknown) => this.deps.logger.error({ err: String(err), action: entry.action }, 'cannot write the audit log'));
  }
}

/** targetOf: "DiskFull · prod-gz" (alert names and the first where-label). */
export function targetOf(card: CardRecord): string {
  const names = [...new Set(card.alerts.map((alert) => alert.name))];
  const first = card.alerts[0]?.labels;
  const where = first?.cluster ?? first?.namespace ?? first?.instance;
  return `${names.slice(0, 2).join(', ')}${names.length > 2 ? ' 等' : ''}${where ? ` · ${where}` : ''}`;
}

/** targetFor: Grafana alerts go to Grafana when configured; others to the configured or sending Alertmanager. */
function targetFor(alert: CardAlert, callback: CallbackConfig): SilenceTarget | undefined {
  if (alert.source === 'grafana' && callback.grafana) return { kind: 'grafana', url: callback.grafana.url, token: callback.grafana.token };
  const url = callback.alertmanager_url ?? (alert.source === 'alertmanager' ? alert.externalURL : undefined);
  return url && /^https?:\/\//.test(url) ? { kind: 'alertmanager', url } : undefined;
}
