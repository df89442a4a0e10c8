/**
 * UnknownReceiverLog remembers the last webhooks that named a receiver the config does not have
 * (`/webhook/{source}/{receiver}`, answered 404 — which Alertmanager treats as permanent and drops),
 * so the console can show a typo within minutes. In memory only: it is a diagnostic of this
 * process, like the log line and the metric that go with each entry.
 *
 * It also bounds the metric's `receiver` label. The name comes from the URL, i.e. from whoever
 * can reach the port: a scanner (or a sender templating the path) could otherwise create one time
 * series per request. Names that could be a receiver (the config's name pattern) are kept, up to
 * MAX_LABELS distinct ones per process — far more than the typos a real setup makes; anything else
 * is counted as `other`, and the log line and the console entry still carry the name.
 */
export interface UnknownReceiverEntry {
  /** When it was received (ms since epoch). */
  at: number;
  source: string;
  /** The receiver named in the URL, cut to MAX_NAME characters. */
  receiver: string;
  /**
   * The sender's address as express gives it (`req.ip`): the socket's, or the client named in
   * `X-Forwarded-For` when `server.trusted_proxies` vouches for the proxy in front.
   */
  sender: string;
}

/** The receiver-name pattern of the config (receivers-schema.ts), with a length bound. */
const RECEIVER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_LABELS = 20;
export const KEEP_ENTRIES = 20;
const MAX_NAME = 128;

export class UnknownReceiverLog {
  private readonly entries: UnknownReceiverEntry[] = [];
  private readonly labels = new Set<string>();

  constructor(
    private readonly keep = KEEP_ENTRIES,
    private readonly maxLabels = MAX_LABELS,
  ) {}

  /** record keeps the entry (newest first, at most `keep`) and returns the metric label for its receiver. */
  record(entry: UnknownReceiverEntry): string {
    const kept = { ...entry, receiver: entry.receiver.slice(0, MAX_NAME) };
    this.entries.unshift(kept);
    if (this.entries.length > this.keep) this.entries.length = this.keep;
    return this.labelFor(entry.receiver);
  }

  /** recent returns the kept entries, newest first. */
  recent(): UnknownReceiverEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  private labelFor(receiver: string): string {
    if (!RECEIVER_NAME.test(receiver) || receiver === 'other') return 'other';
    if (this.labels.has(receiver)) return receiver;
    if (this.labels.size >= this.maxLabels) return 'other';
    this.labels.add(receiver);
    return receiver;
  }
}
