/**
 * ActionStore: the durable state of acting from WeCom cards — which card (task_id) shows which
 * alerts, who acknowledged what, silences created, escalation timers, idempotency claims and the
 * audit log. SQLite under storage.path for one process (sqlite-action-store.ts); Redis with
 * storage.redis, so every replica sees the same cards and a click is acted on once
 * (redis-action-store.ts).
 */

/** One alert shown on an interactive card (what acknowledging and silencing need). */
export interface CardAlert {
  fingerprint: string;
  name: string;
  source: string;
  severity: string;
  labels: Record<string, string>;
  startsAt: string;
  summary: string;
  /** Alertmanager payloads: the sender's externalURL (default silence target). */
  externalURL?: string;
}

/** What happened on a card; shown when the card is updated. */
export interface CardState {
  ack?: { user: string; at: number };
  silence?: { user: string; at: number; until: number; ids: string[]; url?: string };
  /** The last action's failure, shown on the card ("静默失败: …"). */
  error?: string;
  /** Escalation steps already taken. */
  escalated?: number;
}

export interface CardRecord {
  taskId: string;
  receiver: string;
  createdAt: number;
  alerts: CardAlert[];
  /** The card's text as first sent; updates rebuild the card from it and the state. */
  content: { title: string; text: string; url: string; source: string };
  state: CardState;
}

/** One acknowledgement: the first per alert episode (fingerprint + startsAt) counts. */
export interface AckRecord {
  fingerprint: string;
  startsAt: string;
  alertName: string;
  receiver: string;
  taskId: string;
  user: string;
  at: number;
}

export type AuditAction = 'ack' | 'silence' | 'escalate' | 'callback';
export type AuditResult = 'ok' | 'failed' | 'denied' | 'duplicate';

/** One audit entry: who did what, when, with which result. */
export interface AuditEntry {
  at: number;
  receiver: string;
  user: string;
  action: AuditAction;
  /** What it applied to: card task id and alert names. */
  target: string;
  result: AuditResult;
  detail: string;
}

/** A scheduled escalation check: at `dueAt`, if the card's alerts are still unacknowledged, take step `step`. */
export interface EscalationTimer {
  id: string;
  taskId: string;
  step: number;
  dueAt: number;
}

export interface ActionStore {
  saveCard(card: CardRecord): Promise<void>;
  card(taskId: string): Promise<CardRecord | undefined>;
  saveState(taskId: string, state: CardState): Promise<void>;
  /** claim: true the first time `key` is claimed within `ttlMs` (idempotent callbacks, once across replicas). */
  claim(key: string, now: number, ttlMs: number): Promise<boolean>;
  /** unclaim gives a claim back when the work it guarded failed, so WeCom's retry can do it. */
  unclaim(key: string): Promise<void>;
  /** recordAck stores the first acknowledgement of an alert episode; false when one exists. */
  recordAck(ack: AckRecord): Promise<boolean>;
  ackOf(fingerprint: string, startsAt: string): Promise<AckRecord | undefined>;
  recentAcks(limit: number): Promise<AckRecord[]>;
  /** acksSince: acknowledgements at or after `since` (digests). */
  acksSince(since: number): Promise<AckRecord[]>;
  audit(entry: AuditEntry): Promise<void>;
  recentAudit(limit: number): Promise<AuditEntry[]>;
  schedule(timer: EscalationTimer): Promise<void>;
  /** due: timers whose time has come (not removed); the caller claims each before acting. */
  due(now: number, limit: number): Promise<EscalationTimer[]>;
  unschedule(id: string): Promise<void>;
  close(): Promise<void>;
}

/** How long cards, claims and timers are kept: WeCom's ResponseCode lives 72 h; a week covers digests. */
export const CARD_RETENTION_MS = 7 * 86_400_000;
