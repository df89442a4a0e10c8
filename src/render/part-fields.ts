import { partLabel, type MessageContext, type PartInfo } from './context';
import type { RenderSession } from './render-session';

/**
 * PartSwitch turns a built context into one that serves several renders of the same slice with
 * different parts (planning `(999/999)`, then the real `(1/3)`): the four part-dependent fields
 * become accessors over a switchable part, each read counted in the session, so the session can
 * tell which partial results do not depend on the part (render-session.ts). The fields keep their
 * place among the context's keys and stay enumerable: a template sees the same object as before.
 */
export interface PartSwitch {
  context: MessageContext;
  /** setPart makes the context show a part (as buildContext would have built it). */
  setPart(part: PartInfo | null): void;
}

type PartField = 'part' | 'partLabel' | 'firstPart' | 'lastPart';
interface PartState {
  session: RenderSession;
  values: Pick<MessageContext, PartField>;
}

/** Where a switchable context keeps its part (a non-enumerable symbol: templates and spreads never see it). */
const STATE = Symbol('part state');

function stateOf(context: object): PartState {
  return (context as { [STATE]: PartState })[STATE];
}

/**
 * One getter per field, shared by every context: per-context closures would give each context its
 * own hidden class, and the templates' property reads would turn megamorphic.
 */
function countedRead(field: PartField): (this: object) => unknown {
  return function (this: object) {
    const state = stateOf(this);
    state.session.partReads += 1;
    return state.values[field];
  };
}
const GETTERS: Record<PartField, (this: object) => unknown> = {
  part: countedRead('part'),
  partLabel: countedRead('partLabel'),
  firstPart: countedRead('firstPart'),
  lastPart: countedRead('lastPart'),
};

const FIELDS = Object.keys(GETTERS) as PartField[];

/** partSwitch makes a built context's part fields switchable (see PartSwitch). */
export function partSwitch(context: MessageContext, session: RenderSession): PartSwitch {
  const state: PartState = { session, values: { part: context.part, partLabel: context.partLabel, firstPart: context.firstPart, lastPart: context.lastPart } };
  // Redefining existing keys keeps their place in the key order.
  for (const field of FIELDS) Object.defineProperty(context, field, { enumerable: true, configurable: false, get: GETTERS[field] });
  Object.defineProperty(context, STATE, { value: state, enumerable: false });
  return {
    context,
    setPart(part) {
      state.values.part = part;
      state.values.partLabel = partLabel(part);
      state.values.firstPart = !part || part.index === 1;
      state.values.lastPart = !part || part.index === part.total;
    },
  };
}
