import pino, { type DestinationStream, type Logger } from 'pino';
import { redactSecrets } from './channels/redact';

/**
 * createLogger: structured JSON logs (pino), human-readable when stdout is a terminal. Headers that
 * carry credentials are removed by path, and every log line is scrubbed of secret query
 * parameters (`key=`, `access_token=`, `corpsecret=`) and of the configured secret values.
 */
export interface LoggerOptions {
  level?: string;
  /** Secret values to scrub (robot keys, app secrets, bearer tokens…); may change on reload. */
  secrets?: () => readonly string[];
  /** Where to write (tests capture); default stdout (pretty on a TTY). */
  destination?: DestinationStream;
  pretty?: boolean;
}

export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.authorization', 'authorization', 'password', 'secret', 'token', '*.secret', '*.password'];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = process.env.LOG_LEVEL ?? options.level ?? 'info';
  const secrets = options.secrets ?? (() => []);
  const pretty = options.pretty ?? (!options.destination && process.stdout.isTTY === true);
  const scrub: DestinationStream = wrap(options.destination ?? (pretty ? prettyStream() : pino.destination({ dest: 1, sync: false })), secrets);
  return pino({ level, base: { service: 'wecom-alert-adapter' }, redact: { paths: REDACT_PATHS, censor: '<redacted>' }, timestamp: pino.stdTimeFunctions.isoTime }, scrub);
}

function prettyStream(): DestinationStream {
  // pino-pretty is a dependency; loaded lazily so JSON mode never pays for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const build = require('pino-pretty') as (options: object) => DestinationStream;
  return build({ colorize: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

function wrap(target: DestinationStream, secrets: () => readonly string[]): DestinationStream {
  return {
    write(line: string) {
      target.write(redactSecrets(line, secrets()));
    },
  };
}
