/**
 * WeCom errcodes and what they mean for delivery (wecom-api.md §4, SPEC §6).
 * https://developer.work.weixin.qq.com/document/path/90313
 * class: retry (transient, backoff), rate_limited (retry after ≥ 1 min), token (drop the app token,
 * refresh once, resend), permanent (dead letter, the operator must fix something).
 * `hint` is the sentence shown to operators (logs, send-test, dead letters), in Chinese first
 * because that is how our users read the WeCom admin console.
 */
export type ErrorClass = 'retry' | 'rate_limited' | 'token' | 'permanent';

export interface ErrcodeInfo {
  class: ErrorClass;
  /** Short machine reason, also a metric/log field. */
  reason: string;
  hint: string;
}

const TABLE: Record<number, ErrcodeInfo> = {
  [-1]: { class: 'retry', reason: 'system_busy', hint: '企业微信系统繁忙，已自动重试 (WeCom busy; retried automatically).' },
  40001: { class: 'permanent', reason: 'invalid_secret', hint: '应用 Secret 错误、已重置或应用已停用：请在「应用管理 → 应用」重新复制 Secret (app secret wrong or reset, or app disabled).' },
  40003: { class: 'permanent', reason: 'invalid_userid', hint: 'to_user 中的 UserID 不存在：请填写通讯录中的账号，而不是姓名 (a to_user id does not exist).' },
  40008: { class: 'permanent', reason: 'invalid_msgtype', hint: '该目标不支持配置的 msgtype (this target does not accept the configured msgtype).' },
  40013: { class: 'permanent', reason: 'invalid_corpid', hint: 'corp_id 错误：请在「我的企业 → 企业信息 → 企业ID」核对 (corp_id is wrong).' },
  40014: { class: 'token', reason: 'invalid_token', hint: 'access_token 无效（通常已过期），已自动刷新 (token invalid, refreshed).' },
  40031: { class: 'permanent', reason: 'invalid_user_list', hint: 'to_user 列表格式错误 (malformed to_user list).' },
  40032: { class: 'permanent', reason: 'too_many_users', hint: 'to_user 超过 1000 人 (more than 1000 users).' },
  40056: { class: 'permanent', reason: 'invalid_agentid', hint: 'agent_id 不属于该企业：请在「应用管理 → 应用」查看 AgentId (agent_id is not an app of this corp).' },
  40058: { class: 'permanent', reason: 'invalid_parameter', hint: '企业微信拒绝了请求体（参数不合法或超长）；若为超长，请向我们报告此缺陷 (WeCom rejected the body).' },
  41001: { class: 'token', reason: 'missing_token', hint: '缺少 access_token，已自动刷新 (token missing, refreshed).' },
  42001: { class: 'token', reason: 'token_expired', hint: 'access_token 已过期，已自动刷新 (token expired, refreshed).' },
  44004: { class: 'permanent', reason: 'empty_content', hint: '模板渲染结果为空，请检查模板 (the template rendered an empty message).' },
  45002: { class: 'permanent', reason: 'content_too_long', hint: '消息内容超过大小限制，这不应发生，请报告 (message over the size limit; please report).' },
  45009: { class: 'rate_limited', reason: 'rate_limited', hint: '触发频率限制（机器人每分钟 20 条，应用每人每分钟 30 条）；消息保留在队列中稍后重发 (rate limited; kept queued).' },
  45033: { class: 'retry', reason: 'too_many_concurrent', hint: '接口并发调用超过限制，已自动重试 (too many concurrent calls; retried).' },
  45034: { class: 'permanent', reason: 'url_without_scheme', hint: 'textcard 链接缺少 http(s):// 协议头 (a textcard link has no scheme).' },
  48002: { class: 'permanent', reason: 'api_forbidden', hint: 'Secret 不是该应用的 Secret（例如通讯录同步 Secret）或应用无此权限 (wrong secret type or missing permission).' },
  50002: { class: 'permanent', reason: 'out_of_scope', hint: '接收人不在应用权限范围内 (recipient outside the app scope).' },
  60011: { class: 'permanent', reason: 'no_privilege', hint: '接收人不在应用「可见范围」内：请在「应用管理 → 应用 → 可见范围」添加 (recipient outside the app visibility).' },
  60020: { class: 'permanent', reason: 'untrusted_ip', hint: '本服务的出口 IP 不在应用的「企业可信IP」中：请在「应用管理 → 应用 → 企业可信IP」添加该 IP，约 1 分钟后生效；NAT 后面请配置 wecom.proxy (egress IP not trusted).' },
  81013: { class: 'permanent', reason: 'all_recipients_invalid', hint: '所有接收人（to_user/to_party/to_tag）均无效或不在可见范围内 (no recipient is valid or visible to the app).' },
  82001: { class: 'permanent', reason: 'no_recipients', hint: '接收人为空：请配置 to_user、to_party 或 to_tag (no recipients configured).' },
  82002: { class: 'permanent', reason: 'too_many_parties', hint: 'to_party 超过 100 个 (more than 100 parties).' },
  82003: { class: 'permanent', reason: 'too_many_tags', hint: 'to_tag 超过 100 个 (more than 100 tags).' },
  93000: { class: 'permanent', reason: 'invalid_webhook', hint: '机器人 key 无效或机器人已被移出群：key 只填 key= 后面的值，或把完整地址填到 url (invalid robot key, or robot removed).' },
  93004: { class: 'permanent', reason: 'robot_disabled', hint: '机器人已被停用，请在群设置中启用 (robot disabled in the group).' },
  93008: { class: 'permanent', reason: 'robot_not_in_group', hint: '机器人已不在群中 (robot is no longer in the group).' },
  301002: { class: 'permanent', reason: 'agent_mismatch', hint: 'agent_id 与 Secret 所属应用不一致 (agent_id does not belong to the app of this secret).' },
};

/** errcodeInfo classifies a non-zero errcode; unknown codes are permanent and point to WeCom's lookup page. */
export function errcodeInfo(errcode: number): ErrcodeInfo {
  return (
    TABLE[errcode] ?? {
      class: 'permanent',
      reason: 'wecom_error',
      hint: `企业微信返回错误码 ${errcode}，详见 https://open.work.weixin.qq.com/devtool/query?e=${errcode} (see WeCom's error lookup).`,
    }
  );
}

/** KNOWN_ERRCODES lists every errcode in the table (for tests and docs). */
export const KNOWN_ERRCODES = Object.keys(TABLE).map(Number);

/** egressIpOf extracts the `from ip: x.x.x.x` WeCom puts into errmsg (useful for 60020). */
export function egressIpOf(errmsg: string | undefined): string | undefined {
  return /from ip:\s*([0-9a-fA-F.:]+)/.exec(errmsg ?? '')?.[1];
}
