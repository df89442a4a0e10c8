/**
 * WeCom byte limits (SPEC §6, wecom-api.md §3), in UTF-8 bytes. One place, named, so that every
 * splitter and test uses the same numbers.
 */
export const LIMITS = {
  robotMarkdown: 4096,
  robotMarkdownV2: 4096,
  robotText: 2048,
  appMarkdown: 2048,
  appText: 2048,
  textcardTitle: 128,
  textcardDescription: 512,
  textcardUrl: 2048,
  newsTitle: 128,
  newsDescription: 512,
  /** template_card text_notice: main_title.title / desc and sub_title_text (documented as 26/30/112 characters; we count bytes to stay safe). */
  cardTitle: 78,
  cardDesc: 90,
  cardSubTitle: 336,
} as const;
