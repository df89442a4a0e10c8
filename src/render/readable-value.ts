/**
 * readableValue turns a source's value string into what a reader wants to see. Grafana sends every
 * expression of the rule (`B=92.3456, C=1`): the query/reduce results are the measurement, while
 * the threshold expression's 0/1 is only "the condition fired". So: numbers are rounded to at most
 * two decimals, and a trailing 0/1 term is dropped when a real measurement precedes it. Values that
 * are not `name=value` lists (Kibana's `57`, legacy `host=512`) keep their text, numbers rounded.
 */
const TERM = /^\s*([^=,]+?)\s*=\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

export function readableValue(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parts = value.split(/,\s*/);
  const terms = parts.map((part) => TERM.exec(part));
  if (terms.some((term) => term === null)) return roundNumber(value);
  const list = terms.map((term) => ({ name: term![1], number: Number(term![2]) }));
  while (list.length > 1 && (list[list.length - 1].number === 0 || list[list.length - 1].number === 1) && list.slice(0, -1).some((term) => term.number !== 0 && term.number !== 1)) list.pop();
  return list.map((term) => `${term.name}=${formatNumber(term.number)}`).join(', ');
}

function roundNumber(text: string): string {
  return /^\s*-?\d+\.\d{3,}\s*$/.test(text) ? formatNumber(Number(text)) : text;
}

/** formatNumber: at most two decimals, no trailing zeros, no exponent for ordinary magnitudes. */
export function formatNumber(number: number): string {
  if (!Number.isFinite(number)) return String(number);
  if (Number.isInteger(number)) return String(number);
  const rounded = Math.abs(number) >= 1 ? number.toFixed(2) : number.toPrecision(2);
  return String(Number(rounded));
}
