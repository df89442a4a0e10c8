import type { Channel } from '../channels/channel';
import type { SendResult } from '../channels/send-result';

/**
 * explainFailure adds what `send-test` knows beyond the errcode hint (which is already in
 * `result.error`, from errcodes.ts): which config key to look at for this receiver, and whether a
 * proxy is in the path. One sentence per line, Chinese first with the key names as written in
 * config.yaml. https://developer.work.weixin.qq.com/document/path/90313
 */
export interface ExplainContext {
  /** Calls to WeCom go through a proxy (wecom.proxy or HTTPS_PROXY); undefined = unknown. */
  usesProxy?: boolean;
}

type Failure = Extract<SendResult, { ok: false }>;

const BY_ERRCODE: Record<number, (name: string, channel: Channel, context: ExplainContext) => string> = {
  93000: (name) => `请核对接收者 ${name} 的 robot.key（只填 key= 后面的部分）或 robot.url；如果机器人已被移出群，请在群里重新添加机器人并更新 key。`,
  93004: () => '请在群设置 → 群机器人中重新启用该机器人，然后再运行 send-test。',
  93008: (name) => `请把机器人重新拉进群，或新建一个机器人并更新接收者 ${name} 的 key。`,
  60020: (_name, _channel, context) =>
    (context.usesProxy === true
      ? '当前经代理出网：企业微信看到的是代理的公网出口 IP，应把这个 IP 加入「企业可信IP」。'
      : context.usesProxy === false
        ? '当前未使用代理：若本机出口 IP 不固定（NAT、多出口、容器平台），请配置 wecom.proxy 经固定出口发送。'
        : '若服务在 NAT 或代理之后，应加入的是公网出口 IP。') + '加入后约 1 分钟生效，再运行 send-test 确认。',
  40001: (name) => `请核对接收者 ${name} 的 app.secret / app.secret_file 是否为该应用的 Secret；Secret 多次错误会使出口 IP 被企业微信封禁 1 小时，所以服务在 gettoken 失败后 60 秒内不会再次请求。`,
  40013: (name) => `请核对接收者 ${name} 的 app.corp_id（「我的企业 → 企业信息 → 企业ID」）。`,
  40056: (name) => `请核对接收者 ${name} 的 app.agent_id（「应用管理 → 应用」页面上的 AgentId）。`,
  301002: (name) => `接收者 ${name} 的 app.agent_id 与 app.secret 不属于同一个应用：请从同一个应用的详情页复制两者。`,
  48002: (name) => `接收者 ${name} 的 app.secret 可能是「通讯录同步」等其他 Secret，请使用该自建应用自己的 Secret。`,
  81013: (name) => `请核对接收者 ${name} 的 to_user / to_party / to_tag，并确认这些成员、部门或标签在应用的「可见范围」内。`,
  82001: (name) => `接收者 ${name} 没有配置接收人：请设置 to_user、to_party 或 to_tag。`,
  40014: () => '刷新 access_token 后仍然无效：Secret 可能属于另一个应用或企业。',
  42001: () => '刷新 access_token 后仍然过期：请稍后再试；若持续出现，请报告。',
  45009: (_name, channel) =>
    channel.kind === 'robot'
      ? '每个机器人每分钟最多 20 条，且所有使用同一 key 的系统共享这个额度：请一分钟后再试，并尽量让本服务独占一个机器人。'
      : '应用消息每个接收人每分钟最多 30 条、每小时 1000 条：请稍后再试。',
  40008: (name) => `接收者 ${name} 配置的 msgtype 不被该类型的目标接受，请换用文档列出的 msgtype。`,
  40058: () => '测试消息很短，不会超长：通常是 msgtype 与接收者类型不匹配，或 wecom.api_base 指向了别的服务。',
};

const NETWORK_ADVICE = (context: ExplainContext) =>
  context.usesProxy
    ? '请检查代理（wecom.proxy 或 HTTPS_PROXY）是否可达，以及它能否访问 wecom.api_base（默认 https://qyapi.weixin.qq.com）。'
    : '请检查本机能否访问 wecom.api_base（默认 https://qyapi.weixin.qq.com）：DNS、防火墙、出网策略；如需经代理出网，请配置 wecom.proxy 或 HTTPS_PROXY。';

function byReason(failure: Failure, context: ExplainContext): string | undefined {
  if (failure.reason === 'timeout') return `企业微信在超时时间（wecom.timeout）内没有应答。${NETWORK_ADVICE(context)}`;
  if (failure.reason === 'network') return `无法连接企业微信。${NETWORK_ADVICE(context)}`;
  if (failure.httpStatus === 407) return '代理要求认证 (HTTP 407)：请在 wecom.proxy 中写入 http://用户名:密码@代理地址:端口。';
  if (failure.httpStatus === 404) return '地址不存在 (HTTP 404)：请检查 wecom.api_base 或 robot.url 是否写错。';
  if (failure.httpStatus !== undefined && (failure.httpStatus >= 500 || failure.httpStatus === 429)) {
    return `收到 HTTP ${failure.httpStatus}：通常是企业微信或代理的临时故障；若持续出现，请检查代理。`;
  }
  if (failure.reason === 'bad_response') return '应答不是企业微信的 JSON：通常是拦截流量的代理或网关页面，请检查代理与 wecom.api_base。';
  return undefined;
}

/** explainFailure returns the extra sentences for a failed test send (possibly none). */
export function explainFailure(failure: Failure, channel: Channel, context: ExplainContext): string[] {
  const lines: string[] = [];
  const specific = failure.errcode !== undefined ? BY_ERRCODE[failure.errcode]?.(channel.name, channel, context) : byReason(failure, context);
  if (specific) lines.push(specific);
  else if (failure.errcode !== undefined) lines.push(`查询错误码说明：https://open.work.weixin.qq.com/devtool/query?e=${failure.errcode}`);
  lines.push(
    failure.retry
      ? '这是临时性错误：正式运行时消息会留在队列中，按退避策略自动重试。'
      : '这个错误需要人工处理：正式运行时此类消息会进入死信列表（dead-letters），修复后可用 dead-letters --requeue 重新发送。',
  );
  return lines;
}
