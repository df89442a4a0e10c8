import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Config } from './schema';
import { isEncodingAesKey } from './interactive-schema';

/**
 * resolveSecretFiles reads every `*_file` secret (key_file, url_file, secret_file, password_file,
 * bearer_tokens_file) into its plain counterpart, relative to the config file's directory, and
 * normalizes a robot `key` that was pasted as a whole webhook URL (the classic cause of 93000).
 * Returns problems as [path, message] pairs instead of throwing so all are reported together.
 */
export function resolveSecretFiles(config: Config, baseDir: string): [string, string][] {
  const problems: [string, string][] = [];
  const read = (file: string, path: string): string | undefined => {
    try {
      return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8').trim();
    } catch (err) {
      problems.push([path, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
      return undefined;
    }
  };

  config.receivers.forEach((receiver, index) => {
    const at = `receivers[${index}]`;
    if (receiver.robot) {
      const robot = receiver.robot;
      if (robot.key_file) robot.key = read(robot.key_file, `${at}.robot.key_file`);
      if (robot.url_file) robot.url = read(robot.url_file, `${at}.robot.url_file`);
      if (robot.key) robot.key = normalizeRobotKey(robot.key);
    }
    if (receiver.app?.secret_file) receiver.app.secret = read(receiver.app.secret_file, `${at}.app.secret_file`);
    const callback = receiver.app?.callback;
    if (callback?.token_file) callback.token = read(callback.token_file, `${at}.app.callback.token_file`);
    if (callback?.encoding_aes_key_file) {
      callback.encoding_aes_key = read(callback.encoding_aes_key_file, `${at}.app.callback.encoding_aes_key_file`);
      if (callback.encoding_aes_key !== undefined && !isEncodingAesKey(callback.encoding_aes_key)) {
        problems.push([`${at}.app.callback.encoding_aes_key_file`, 'the file must hold the 43-character EncodingAESKey (letters and digits)']);
      }
    }
    if (callback?.grafana?.token_file) callback.grafana.token = read(callback.grafana.token_file, `${at}.app.callback.grafana.token_file`);
  });

  const auth = config.server.auth;
  if (auth?.bearer_tokens_file) {
    const text = read(auth.bearer_tokens_file, 'server.auth.bearer_tokens_file');
    if (text !== undefined) auth.bearer_tokens.push(...text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean));
  }
  if (auth?.basic?.password_file) auth.basic.password = read(auth.basic.password_file, 'server.auth.basic.password_file');
  return problems;
}

/** normalizeRobotKey accepts a pasted `…/webhook/send?key=XXX` URL where only the key belongs. */
export function normalizeRobotKey(key: string): string {
  const match = /[?&]key=([^&\s]+)/.exec(key);
  return match ? decodeURIComponent(match[1]) : key.trim();
}
