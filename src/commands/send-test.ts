import { resolveConfig } from './resolve-config';
import { buildState } from '../runtime-state';
import { TokenCache } from '../channels/token-cache';
import { sendTest } from './send-test-core';

/** send-test: send one test message to a receiver and explain the result (SPEC §2). Exit 1 on failure. */
export async function sendTestCommand(options: { config?: string; receiver: string }, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const { loaded } = resolveConfig(options.config);
  const state = buildState(loaded, { tokens: new TokenCache() });
  try {
    const channel = state.channels.get(options.receiver);
    if (!channel) {
      err(`unknown receiver "${options.receiver}"; configured: ${[...state.channels.keys()].join(', ')}`);
      return 1;
    }
    const result = await sendTest(channel, new Date(), { timezone: loaded.config.server.timezone, usesProxy: state.http.usesProxy });
    result.lines.forEach((line) => (result.ok ? out(line) : err(line)));
    return result.ok ? 0 : 1;
  } finally {
    await state.http.close();
  }
}
