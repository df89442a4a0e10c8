import { z } from 'zod';

/**
 * `messages:` — how alert messages present themselves (README "Message layout"): which labels say
 * *where* an alert is, and how severities look. Label names and values for severity are not
 * universal (`severity`, `level`, `priority`; `critical`, `P1`, `严重`), so both are configurable.
 * The defaults live in the schema so that `Config` always carries a complete style.
 */
const fontColor = z.enum(['warning', 'comment', 'info'], { message: 'must be warning (orange-red), comment (grey) or info (green): the three WeCom markdown colours' });

const severityLevel = z.strictObject({
  /** Stable key, e.g. `critical`; templates can test it (`{{#if (eq style.key "critical")}}`). */
  key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and "_"'),
  /** Label values (case-insensitive) that mean this level. */
  values: z.array(z.string().min(1)).min(1, 'at least one value'),
  /** Words shown in messages (严重 / 警告 / 提示). */
  label: z.string().min(1).max(16),
  emoji: z.string().max(8).default(''),
  color: fontColor,
  bold: z.boolean().default(false),
});

export const DEFAULT_SEVERITY_LEVELS = [
  { key: 'critical', values: ['critical', 'crit', 'disaster', 'emergency', 'fatal', 'high', 'page', 'p0', 'p1', 'sev1', 'error', '严重', '紧急', '致命', '灾难'], label: '严重', emoji: '🔴', color: 'warning', bold: true },
  { key: 'warning', values: ['warning', 'warn', 'average', 'medium', 'major', 'minor', 'p2', 'p3', 'sev2', 'sev3', '警告', '一般', '重要'], label: '警告', emoji: '🟠', color: 'warning', bold: false },
  { key: 'info', values: ['info', 'information', 'informational', 'low', 'notice', 'none', 'p4', 'p5', 'sev4', '提示', '通知', '信息'], label: '提示', emoji: '🔵', color: 'comment', bold: false },
] as const;

export const DEFAULT_WHERE_LABELS = ['cluster', 'env', 'namespace', 'service', 'job', 'team'];

export const messagesSchema = z
  .strictObject({
    /** Labels that say where an alert lives, in the order they are shown in message headers. */
    where_labels: z.array(z.string().min(1)).default(DEFAULT_WHERE_LABELS),
    severity: z
      .strictObject({
        /** Labels read for the severity when the sender has no severity of its own, first match wins. */
        labels: z.array(z.string().min(1)).min(1).default(['severity', 'level', 'priority']),
        /** Levels from most to least severe; the order is the sort order of messages. */
        levels: z.array(severityLevel).min(1).default(DEFAULT_SEVERITY_LEVELS.map((level) => ({ ...level, values: [...level.values] }))),
      })
      .prefault({})
      .superRefine((severity, ctx) => {
        const seen = new Map<string, string>();
        severity.levels.forEach((level, index) => {
          for (const value of level.values) {
            const key = value.toLowerCase();
            if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['levels', index, 'values'], message: `"${value}" already belongs to level "${seen.get(key)}"` });
            seen.set(key, level.key);
          }
        });
      }),
  })
  .prefault({});

export type MessagesConfig = z.output<typeof messagesSchema>;
