import type { AlertNotification, Notification } from '../model/notification';
import { viewOf, type AlertView } from './alert-view';
import { buildContext, type ContextParts, type MessageContext, type PartInfo } from './context';
import type { MessageStyle } from './message-style';
import type { NotificationSummary } from './notification-summary';
import { partSwitch, type PartSwitch } from './part-fields';
import { RenderSession } from './render-session';
import type { SanitizeMode } from './sanitize';
import { sharedParts, type SharedParts } from './shared-parts';

/**
 * ContextMemo keeps, for one pack() call, what the template contexts of its renders share. The
 * packer renders the same alerts several times in one call — the planning render (worst-case part
 * label) and the final one, and for a storm the overlapping slices its search probes — and building
 * views (sanitizing every label and annotation) cost as much as a template run. So each alert's view
 * and a notification's group-level values are built once per call, and a slice's context is built
 * once and shown with whichever part is rendered (part-fields.ts), which lets the session reuse
 * partial results that do not depend on the part (render-session.ts). It lives only as long as the
 * call, so every pack() of a notification does its real work once.
 */
export class ContextMemo implements ContextParts {
  /** The renders of this call (shared partial results). */
  readonly session = new RenderSession();
  private readonly entries = new Map<AlertNotification, MemoEntry>();
  private readonly slices = new Map<Notification, Map<string, PartSwitch>>();
  /** Views and slice contexts held; planning a 10,000-alert storm must not keep all of them alive at once. */
  private viewCount = 0;
  private sliceCount = 0;

  constructor(
    private readonly mode: SanitizeMode,
    private readonly style: MessageStyle,
  ) {}

  /** context: the context of items [start, end) showing `part`, built once per slice and layout. */
  context(notification: Notification, start: number, end: number, part: PartInfo | null, compact: boolean): MessageContext {
    let bySlice = this.slices.get(notification);
    if (!bySlice) this.slices.set(notification, (bySlice = new Map()));
    const key = `${start}:${end}:${compact ? 'c' : 'f'}`;
    let slice = bySlice.get(key);
    if (!slice) {
      if (this.sliceCount >= MAX_SLICES) this.dropSlices();
      slice = partSwitch(buildContext(notification, start, end, part, this.mode, compact, this.style, this), this.session);
      bySlice.set(key, slice);
      this.sliceCount += 1;
    }
    slice.setPart(part);
    return slice.context;
  }

  /** shared: the notification-level sanitized records (the same in every part). */
  shared(notification: AlertNotification): SharedParts {
    return this.entryOf(notification).shared;
  }

  /** views: views of alerts [start, end), each built once per call. */
  views(notification: AlertNotification, header: NotificationSummary, start: number, end: number): AlertView[] {
    const entry = this.entryOf(notification);
    const alerts = notification.alerts;
    const out: AlertView[] = [];
    for (let index = start; index < end && index < alerts.length; index++) {
      let view = entry.views[index];
      if (!view) {
        if (this.viewCount >= MAX_VIEWS) this.dropViews();
        entry.views[index] = view = viewOf(alerts[index], this.mode, this.style, header.differing, header.sharedSuffix);
        this.viewCount += 1;
      }
      out.push(view);
    }
    return out;
  }

  /** Planning moves forward through a storm: views behind it are not needed again. */
  private dropViews(): void {
    for (const entry of this.entries.values()) entry.views = [];
    this.viewCount = 0;
  }

  /** Like views: slices planned long ago are not rendered again (a miss only costs a rebuild). */
  private dropSlices(): void {
    for (const bySlice of this.slices.values()) bySlice.clear();
    this.sliceCount = 0;
  }

  private entryOf(notification: AlertNotification): MemoEntry {
    let entry = this.entries.get(notification);
    if (!entry) {
      entry = { shared: sharedParts(notification, this.mode), views: [] };
      this.entries.set(notification, entry);
    }
    return entry;
  }
}

/** Enough for every slice one message's planning probes (a message holds at most a few hundred alert lines). */
const MAX_VIEWS = 1024;
/** Slice contexts (with their partial results) kept per call: a message's probes and final render. */
const MAX_SLICES = 256;

interface MemoEntry {
  shared: SharedParts;
  views: AlertView[];
}
