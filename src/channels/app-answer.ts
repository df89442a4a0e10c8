import { egressIpOf } from './errcodes';

/**
 * Reading application-message answers beyond errcode (wecom-api.md §2.2, §2.3).
 * https://developer.work.weixin.qq.com/document/path/90236
 */

/**
 * Partial delivery still answers errcode 0 and lists the recipients WeCom skipped, `|`-joined
 * (「如果部分接收人无权限或不存在，发送仍然执行，但会返回无效的部分」).
 */
export const RECIPIENT_FIELDS = ['invaliduser', 'invalidparty', 'invalidtag', 'unlicenseduser'] as const;
export type RecipientField = (typeof RECIPIENT_FIELDS)[number];

export interface InvalidRecipients {
  field: RecipientField;
  ids: string[];
}

/** invalidRecipientsOf lists the non-empty `invalid*` / `unlicenseduser` fields of an answer. */
export function invalidRecipientsOf(answer: Record<string, unknown> | undefined): InvalidRecipients[] {
  const out: InvalidRecipients[] = [];
  for (const field of RECIPIENT_FIELDS) {
    const value = answer?.[field];
    const ids = (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split('|') : []).map((id) => id.trim()).filter(Boolean);
    if (ids.length > 0) out.push({ field, ids });
  }
  return out;
}

const FIELD_TEXT: Record<RecipientField, string> = {
  invaliduser: '成员不存在或不在应用「可见范围」内 (unknown users or outside the app visibility)',
  invalidparty: '部门不存在或不在应用「可见范围」内 (unknown parties or outside the app visibility)',
  invalidtag: '标签不存在或不在应用「可见范围」内 (unknown tags or outside the app visibility)',
  unlicenseduser: '成员未获得接口许可，收不到应用消息 (users without an interface licence)',
};

const MAX_IDS = 10;

/** recipientWarning is the operator sentence for one field (ids are not secrets; capped at 10). */
export function recipientWarning(receiver: string, item: InvalidRecipients): string {
  const shown = item.ids.slice(0, MAX_IDS).join('|') + (item.ids.length > MAX_IDS ? '|…' : '');
  return `接收者 ${receiver}：${item.ids.length} 个接收人未收到消息，${item.field}=${shown}：${FIELD_TEXT[item.field]}；请核对 to_user/to_party/to_tag 或在「应用管理 → 应用 → 可见范围」添加。`;
}

/**
 * untrustedIpError explains 60020: since 2022-06-20 a self-built app only accepts calls from its
 * 企业可信IP. WeCom puts the egress IP it saw into errmsg (`from ip: …`), which is exactly the IP
 * to add (behind NAT or a proxy it is the public one).
 * https://developer.work.weixin.qq.com/document/path/90313#60020
 */
export function untrustedIpError(errmsg: string | undefined): string {
  const ip = egressIpOf(errmsg);
  const seen = ip ? `企业微信看到的本服务出口 IP 是 ${ip}` : '企业微信未在 errmsg 中给出出口 IP';
  const add = ip ? `添加 ${ip}` : '添加本服务的公网出口 IP';
  const english = ip ? `WeCom saw egress IP ${ip}, which is not a trusted IP of this app` : 'the egress IP is not a trusted IP of this app';
  return (
    `errcode 60020: ${seen}，它不在该应用的「企业可信IP」列表中。` +
    `请在企业微信管理后台「应用管理 → 应用 → 企业可信IP」中${add}，约 1 分钟后生效；` +
    `若服务在 NAT 或代理之后，请添加出口公网 IP，或配置 wecom.proxy 经固定出口发送 ` +
    `(${english}: add it under App Management → the app → Trusted IPs, or configure wecom.proxy).`
  );
}
