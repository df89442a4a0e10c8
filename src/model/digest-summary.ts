/**
 * DigestSummary: what one digest found in its period (README "Digests"). It travels inside the
 * queued TextNotification (`digest`), so it is plain JSON, and templates see it as `digest`
 * (strings sanitized for the message format when the context is built). Durations are pre-rendered
 * against the end of the period, so a digest sent late still says what was true at `to`.
 */
export interface DigestCount {
  /** Raw key: source name, severity label, or status. */
  key: string;
  /** Display label (Chinese where there is one). */
  label: string;
  count: number;
}

export interface DigestTopAlert {
  name: string;
  /** Firing episodes of this alert name in the period. */
  count: number;
  /** Distinct alert identities (fingerprints), e.g. instances. */
  instances: number;
  /** Most severe severity seen, as its label (严重 / 警告 / 提示 / raw). */
  severity: string;
}

export interface DigestFiringAlert {
  name: string;
  source: string;
  severity: string;
  instance?: string;
  startsAt: string;
  /** How long it has been firing at the end of the period, ms and as text (`3h12m`). */
  firingForMs: number;
  firingFor: string;
}

/** Acknowledgements from WeCom cards in the period (issue 19). */
export interface DigestAcks {
  count: number;
  byUser: { user: string; count: number }[];
  /** Mean time to acknowledge (from the alert's start), ms and as text. */
  mttaMs?: number;
  mtta?: string;
}

export interface DigestSummary {
  name: string;
  /** `告警时报` / `告警日报` / `告警周报` / `告警摘要`, by period length. */
  label: string;
  /** ISO instants: the period is [from, to). */
  from: string;
  to: string;
  /** Distinct alerts (episodes: fingerprint + startsAt) with any record in the period. */
  alerts: number;
  /** Episodes that fired in the period. */
  firing: number;
  /** Episodes resolved in the period. */
  resolved: number;
  bySource: DigestCount[];
  bySeverity: DigestCount[];
  byStatus: DigestCount[];
  /** The alert names that fired most often (top 5). */
  top: DigestTopAlert[];
  /** Still firing at `to`, longest first (at most 10 listed; `stillFiringTotal` counts all). */
  stillFiring: DigestFiringAlert[];
  stillFiringTotal: number;
  /** stillFiringTotal − stillFiring.length (for "另有 N 条"). */
  stillFiringMore: number;
  /** Mean time to resolve over the episodes resolved in the period (absent when none). */
  mttrMs?: number;
  mttr?: string;
  /** Nothing happened and nothing is firing: not sent unless `send_empty`. */
  empty: boolean;
  /** Acknowledgements from interactive cards, when an action store is configured. */
  acks?: DigestAcks;
}
