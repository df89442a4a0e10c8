import type { Logger } from 'pino';
import type { Config } from '../config/schema';
import type { Metrics } from '../metrics';
import { humanDuration } from '../render/time-format';
import type { ActionStore, CardRecord, EscalationTimer } from './action-store';
import { targetOf } from './card-actions';
import { escalationFor } from './escalation-policy';
import { currentMember } from './oncall-rota';

/**
 * EscalationScheduler: durable escalation timers (route `escalation`). When an interactive card is
 * recorded and its route has a policy, step 0 is scheduled in the ActionStore (so it survives a
 * restart). Each tick takes due timers; a claim in the store makes each step run once across
 * replicas; a card acknowledged, silenced or resolved stops; otherwise the step's receiver is
 * told (mentioning the rota's current on-call member) and the next step is scheduled.
 */
export interface EscalationDeps {
  store: ActionStore;
  metrics: Metrics;
  logger: Logger;
  clock: () => number;
  config: () => Config;
  /** Every alert of the card has resolved since the card was sent (alert history). */
  isResolved: (card: CardRecord) => Promise<boolean>;
  notify: (receiver: string, title: string, content: string, mention: string[]) => Promise<void>;
  /** How often due timers are looked for. */
  pollMs?: number;
}

const CLAIM_MS = 3_600_000;

export class EscalationScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(private readonly deps: EscalationDeps) {}

  /** planned: called when a card is recorded; schedules its first step when its route escalates. */
  async planned(card: CardRecord): Promise<void> {
    const match = escalationFor(this.deps.config().route, card.receiver, card.alerts);
    if (!match) return;
    const first = match.policy.steps[0];
    await this.deps.store.schedule({ id: `${card.taskId}:0`, taskId: card.taskId, step: 0, dueAt: card.createdAt + (first.after ?? match.policy.after) });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick().catch((err) => this.deps.logger.error({ err: String(err) }, 'escalation tick failed; retrying')), this.deps.pollMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** tick runs every due step once; returns how many steps notified someone. */
  async tick(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.runDue().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runDue(): Promise<number> {
    const now = this.deps.clock();
    let notified = 0;
    for (const timer of await this.deps.store.due(now, 100)) {
      if (!(await this.deps.store.claim(`escalation:${timer.id}`, now, CLAIM_MS))) continue;
      try {
        if (await this.step(timer, now)) notified++;
      } catch (err) {
        this.deps.metrics.escalations.inc({ route: 'unknown', outcome: 'failed' });
        this.deps.logger.error({ task: timer.taskId, step: timer.step, err: String(err) }, 'escalation step failed');
      }
    }
    return notified;
  }

  private async step(timer: EscalationTimer, now: number): Promise<boolean> {
    const { store, metrics } = this.deps;
    const done = async (route: string, outcome: string) => {
      await store.unschedule(timer.id);
      metrics.escalations.inc({ route, outcome });
      return false;
    };
    const card = await store.card(timer.taskId);
    const config = this.deps.config();
    const match = card && escalationFor(config.route, card.receiver, card.alerts);
    if (!card || !match) return done('unknown', 'dropped');
    if (card.state.ack) return done(match.routePath, 'acknowledged');
    if (card.state.silence && card.state.silence.until > now) return done(match.routePath, 'silenced');
    if (await this.deps.isResolved(card)) return done(match.routePath, 'resolved');
    const { policy } = match;
    const step = policy.steps[timer.step];
    if (!step) return done(match.routePath, 'exhausted');

    const rota = step.oncall ? config.oncall.find((candidate) => candidate.name === step.oncall) : undefined;
    const member = rota ? currentMember(rota, now, config.server.timezone) : undefined;
    const receiver = step.receiver ?? policy.receiver ?? card.receiver;
    const what = targetOf(card);
    const title = `升级 ${timer.step + 1}/${policy.steps.length} · ${what} 无人认领`;
    const content = `${what} 已 ${humanDuration(now - card.createdAt)} 无人认领${member ? `，请值班 ${member} 处理` : ''}`;
    await this.deps.notify(receiver, title, content, member ? [member] : []);
    await store.saveState(card.taskId, { ...card.state, escalated: timer.step + 1 });
    await store.audit({ at: now, receiver: card.receiver, user: 'escalation', action: 'escalate', target: what, result: 'ok', detail: `step ${timer.step + 1}/${policy.steps.length} → ${receiver}${member ? ` (on call: ${member})` : ''}` });
    metrics.escalations.inc({ route: match.routePath, outcome: 'notified' });
    this.deps.logger.warn({ task: card.taskId, step: timer.step + 1, receiver, oncall: member }, 'unacknowledged alert escalated');
    await store.unschedule(timer.id);
    const next = policy.steps[timer.step + 1];
    if (next) await store.schedule({ id: `${card.taskId}:${timer.step + 1}`, taskId: card.taskId, step: timer.step + 1, dueAt: now + (next.after ?? policy.after) });
    return true;
  }
}
