/**
 * escapeHtml makes any text safe inside HTML element content and double- or single-quoted
 * attributes. The console renders payload-derived names (receivers, sources, examples) server
 * side, so nothing reaches the page unescaped.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/**
 * safeJson serializes for a JSON response with `<`, `>` and `&` as \u escapes: the same value for
 * any JSON parser, but a payload's `<script>` can never appear literally in a response, even if a
 * browser or proxy were to sniff it as HTML.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
