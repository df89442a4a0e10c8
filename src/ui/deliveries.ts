import { errcodeInfo } from '../channels/errcodes';
import type { DeliveryRecord, OutboxStore } from '../outbox/store';
import { formatDate } from '../render/time-format';

/**
 * Recent notifications as the console lists them: the outbox's delivery records (the same rows
 * the worker writes for every send attempt), with times in server.timezone and the errcode in
 * words. The body is left out of the list, which is polled every few seconds, and fetched on click.
 */
export const RECENT_LIMIT = 100;

/** How far back a body can still be opened (the store keeps about 2000 records). */
const BODY_LOOKBACK = 1000;

export interface DeliveryRow {
  id?: number;
  at: number;
  time: string;
  receiver: string;
  source: string;
  msgtype: string;
  status: DeliveryRecord['status'];
  errcode?: number;
  reason?: string;
  /** The errcode's hint: what the operator should fix. */
  hint?: string;
  error?: string;
  alertCount: number;
  bytes: number;
}

export function deliveryRow(record: DeliveryRecord, timezone: string): DeliveryRow {
  const { body: _body, ...rest } = record;
  return { ...rest, time: formatDate(record.at, timezone), hint: record.errcode ? errcodeInfo(record.errcode).hint : undefined };
}

export async function recentDeliveryRows(store: OutboxStore, timezone: string, limit = RECENT_LIMIT): Promise<DeliveryRow[]> {
  return (await store.recentDeliveries(limit)).map((record) => deliveryRow(record, timezone));
}

/** deliveryDetail: one record with its exact request body, or undefined once it has aged out. */
export async function deliveryDetail(store: OutboxStore, id: number, timezone: string): Promise<(DeliveryRow & { body: string }) | undefined> {
  const record = (await store.recentDeliveries(BODY_LOOKBACK)).find((candidate) => candidate.id === id);
  return record && { ...deliveryRow(record, timezone), body: record.body };
}
