/**
 * WeCom callback bodies are small XML documents of one fixed shape: `<xml>` with flat child
 * elements whose values are CDATA or plain text (接收消息与事件, /90376, /90968). This reads exactly
 * that shape and nothing more — it is not a general XML parser: no attributes, no DTD, no
 * processing instructions, no mixed content. A nested child (e.g. `SelectedItems` of vote cards)
 * is skipped whole, since button clicks never need it. Anything else is a `null` result, which the
 * route answers 400.
 */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** parseFlatXml returns the child elements of `<xml>` by name, or null when the shape is not the documented one. */
export function parseFlatXml(text: string): Record<string, string> | null {
  const doc = text.replace(/^\uFEFF/, '').trim().replace(/^<\?xml[^>]{0,100}\?>\s*/, '');
  if (!doc.startsWith('<xml>') || !doc.endsWith('</xml>')) return null;
  const body = doc.slice(5, -6);
  const fields: Record<string, string> = Object.create(null);
  let at = 0;
  while (at < body.length) {
    const open = /^\s*<([^>\s/]+)>/.exec(body.slice(at));
    if (!open) return body.slice(at).trim() === '' ? fields : null;
    const name = open[1];
    if (!NAME.test(name) || name in fields) return null;
    at += open[0].length;
    const close = `</${name}>`;
    let value: string;
    if (body.startsWith('<![CDATA[', at)) {
      // One or more adjacent CDATA sections (a value holding "]]>" is written as two).
      value = '';
      while (body.startsWith('<![CDATA[', at)) {
        const end = body.indexOf(']]>', at + 9);
        if (end === -1) return null;
        value += body.slice(at + 9, end);
        at = end + 3;
      }
      if (!body.startsWith(close, at)) return null;
      at += close.length;
    } else {
      const end = body.indexOf(close, at);
      if (end === -1) return null;
      const raw = body.slice(at, end);
      at = end + close.length;
      if (raw.includes('<')) continue; // a nested element (skipped whole), never a value we read
      const decoded = decodeText(raw);
      if (decoded === null) return null;
      value = decoded;
    }
    fields[name] = value;
  }
  return fields;
}

const REFERENCE = /&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|lt|gt|amp|quot|apos);/g;

function decodeText(raw: string): string | null {
  // Every "&" must start one of the five entities or a character reference.
  if (raw.replace(REFERENCE, '').includes('&')) return null;
  try {
    return raw
      .replace(REFERENCE, (_m, ref: string) => (ref.startsWith('#x') ? String.fromCodePoint(Number.parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : ENTITIES[ref]))
      .trim();
  } catch {
    return null; // a character reference beyond Unicode
  }
}

/** buildXml writes flat fields as WeCom does: every value in CDATA (numbers as plain text). */
export function buildXml(fields: Record<string, string | number>): string {
  const parts = Object.entries(fields).map(([name, value]) => {
    if (!NAME.test(name)) throw new Error(`invalid XML element name ${name}`);
    const inner = typeof value === 'number' ? String(value) : `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
    return `<${name}>${inner}</${name}>`;
  });
  return `<xml>${parts.join('')}</xml>`;
}
