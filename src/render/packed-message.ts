import type { CardFields } from './card';

/** Mention: who a message pages (user ids, mobiles, @all); see mentions.ts for how. */
export interface Mention {
  users: string[];
  mobiles: string[];
  all: boolean;
}

/** PackedMessage: one WeCom message as the packer planned it (content, sections of notifications it carries). */
export interface PackedSection {
  id: string;
  start: number;
  end: number;
  /** The part label this section carries (`{index: 3, total: 8}` is `(3/8)`); set on finished messages. */
  part?: { index: number; total: number };
}

export interface PackedMessage {
  msgtype: string;
  /** Content (markdown/text), or the description for card formats. */
  content: string;
  /** Card formats: the first rendered line. */
  title?: string;
  /** Card formats: where the card links to. */
  url?: string;
  /** News: picture (Grafana imageURL). */
  picurl?: string;
  /** template_card: source, key figure, key/value list and links (card.ts); set for the `card` variant only. */
  card?: CardFields;
  /** Mentions carried as fields (text) or by a companion message. */
  mention?: Mention;
  sections: PackedSection[];
  /** Alerts carried (0 for a mention-only companion). */
  alertCount: number;
  bytes: number;
  truncated: boolean;
  /** A mention-only text message sent after the real one. */
  companion: boolean;
}

