import type { Channel } from '../channels/channel';
import { byteLength } from '../render/bytes';
import type { PackedMessage } from '../render/packer';
import { formatDate } from '../render/time-format';
import { explainFailure, type ExplainContext } from './send-test-explain';

/**
 * sendTest sends one test message through a receiver's channel, exactly once (no retry: the
 * operator wants to see the first answer), and explains the outcome in sentences: what was sent
 * where, whether WeCom accepted it, and for a failure the errcode hint plus what to check for this
 * receiver. The test message mentions nobody, so a test never pages people.
 */
export interface SendTestOptions extends ExplainContext {
  /** Time zone of the timestamp in the message (server.timezone); default Asia/Shanghai. */
  timezone?: string;
}

export const TEST_TITLE = '【测试消息】wecom-alert-adapter 连通性测试';

const KIND_TEXT: Record<Channel['kind'], string> = { robot: '群机器人', app: '应用消息', console: '控制台输出' };

export async function sendTest(channel: Channel, now: Date, options: SendTestOptions = {}): Promise<{ ok: boolean; lines: string[] }> {
  const message = testMessage(channel, now, options.timezone ?? 'Asia/Shanghai');
  const via = options.usesProxy === true ? '，经由代理（wecom.proxy 或 HTTPS_PROXY）' : options.usesProxy === false ? '，直连企业微信（未使用代理）' : '';
  const lines = [`向接收者 ${channel.name}（${KIND_TEXT[channel.kind]}，msgtype ${message.msgtype}）发送一条测试消息${channel.kind === 'console' ? '' : via}。`];
  let result;
  try {
    result = await channel.send(message);
  } catch (err) {
    lines.push(`失败：发送时出现内部错误：${(err as Error)?.message ?? String(err)}`);
    return { ok: false, lines };
  }
  if (result.ok) {
    lines.push(
      channel.kind === 'console'
        ? '成功：消息已打印到标准输出（console 接收者不会发到企业微信）。'
        : `成功：企业微信已接受该消息 (errcode 0)。请在${channel.kind === 'robot' ? '群聊' : '企业微信的应用消息'}中确认已经收到。`,
    );
    for (const warning of result.warnings) lines.push(`注意：${warning}`);
    return { ok: true, lines };
  }
  lines.push(`失败：${result.error}`);
  lines.push(...explainFailure(result, channel, options));
  return { ok: false, lines };
}

/** testMessage builds the test message in the receiver's format, well inside every byte limit. */
export function testMessage(channel: Channel, now: Date, timezone: string): PackedMessage {
  const { format } = channel;
  const time = formatDate(now, timezone, 'YYYY-MM-DD HH:mm:ss');
  const who = `接收者：${channel.name}（${KIND_TEXT[channel.kind]}，${format.msgtype}）`;
  const ok = '收到这条消息说明配置正确，无需处理。';
  let title: string | undefined;
  let url: string | undefined;
  let content: string;
  switch (format.variant) {
    case 'md':
      content = format.plainMarkdown
        ? `## ${TEST_TITLE}\n> ${who}\n> 时间：${time}\n\n${ok}`
        : `## ${TEST_TITLE}\n> ${who}\n> 时间：<font color="comment">${time}</font>\n\n<font color="info">${ok}</font>`;
      break;
    case 'textcard':
      // No url: the channel falls back to server.external_url or the WeCom portal.
      title = TEST_TITLE;
      content = `<div class="gray">${time}</div><div class="normal">${who}</div><div class="highlight">${ok}</div>`;
      break;
    case 'news':
    case 'card':
      title = TEST_TITLE;
      url = 'https://work.weixin.qq.com/';
      content = `${who}\n时间：${time}\n${ok}`;
      break;
    default:
      content = `${TEST_TITLE}\n${who}\n时间：${time}\n${ok}`;
  }
  return { msgtype: format.msgtype, content, title, url, sections: [], alertCount: 0, bytes: byteLength(content), truncated: false, companion: false };
}
