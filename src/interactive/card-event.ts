/**
 * CardClick: a decrypted `template_card_event` (模板卡片事件推送, 接收消息与事件 /90376): who clicked
 * (`FromUserName`, a WeCom userid), which button (`EventKey` = the button's `key`), on which card
 * (`TaskId`), and the `ResponseCode` that lets us update that card once within 72 h.
 */
export interface CardClick {
  user: string;
  createTime: number;
  eventKey: string;
  taskId: string;
  cardType: string;
  responseCode?: string;
}

/** cardClickOf returns the click, or undefined for any other event (enter_agent, …), which is ignored. */
export function cardClickOf(fields: Record<string, string>): CardClick | undefined {
  if (fields.MsgType !== 'event' || fields.Event !== 'template_card_event') return undefined;
  if (!fields.FromUserName || !fields.TaskId || !fields.EventKey) return undefined;
  return {
    user: fields.FromUserName,
    createTime: Number(fields.CreateTime) || 0,
    eventKey: fields.EventKey,
    taskId: fields.TaskId,
    cardType: fields.CardType ?? '',
    responseCode: fields.ResponseCode || undefined,
  };
}

/** clickId is the idempotency key of a click: WeCom retries the same event with the same fields. */
export function clickId(receiver: string, click: CardClick): string {
  return [receiver, click.taskId, click.user, click.createTime, click.eventKey].join('|');
}
