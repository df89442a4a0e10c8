#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { checkCommand } from './commands/check';
import { deadLettersCommand } from './commands/dead-letters';
import { digestCommand } from './commands/digest';
import { renderCommand } from './commands/render';
import { sendTestCommand } from './commands/send-test';
import { serveCommand } from './commands/serve';
import { ConfigError } from './config/errors';
import { TemplateLoadError } from './render/engine';

/** The `wecom-alert-adapter` command line (SPEC §2). */
const USAGE = `usage: wecom-alert-adapter [command] [options]

commands:
  serve        [--config FILE] [--listen HOST:PORT]     run the service (default)
  check        --config FILE                             validate config and templates
  render       --config FILE --source S --payload FILE [--receiver R] [--json]
                                                         dry run: routing and messages, sends nothing
  send-test    --config FILE --receiver NAME             send one test message and explain the result
  digest       --config FILE --name NAME [--period 1h] [--dry-run]
  dead-letters --config FILE [--requeue ID | --requeue-all] [--outbox FILE]
                                                         --outbox: read another outbox file (moved aside), read-only
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  listen: { type: 'string' },
  source: { type: 'string' },
  payload: { type: 'string' },
  receiver: { type: 'string' },
  json: { type: 'boolean' },
  name: { type: 'string' },
  period: { type: 'string' },
  'dry-run': { type: 'boolean' },
  requeue: { type: 'string' },
  'requeue-all': { type: 'boolean' },
  outbox: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const need = (name: keyof typeof values): string | undefined => {
    const value = values[name];
    if (typeof value === 'string' && value.length > 0) return value;
    console.error(`${command}: --${name} is required\n\n${USAGE}`);
    return undefined;
  };
  switch (command) {
    case 'serve':
      return serveCommand({ config: values.config, listen: values.listen });
    case 'check': {
      const config = need('config');
      return config ? checkCommand(config) : 2;
    }
    case 'render': {
      const source = need('source');
      const payload = source && need('payload');
      return source && payload ? renderCommand({ config: values.config, source, payload, json: values.json, receiver: values.receiver }) : 2;
    }
    case 'send-test': {
      const receiver = need('receiver');
      return receiver ? sendTestCommand({ config: values.config, receiver }) : 2;
    }
    case 'digest': {
      const name = need('name');
      return name ? digestCommand({ config: values.config, name, period: values.period, dryRun: values['dry-run'] }) : 2;
    }
    case 'dead-letters':
      return deadLettersCommand({ config: values.config, requeue: values.requeue, requeueAll: values['requeue-all'], outbox: values.outbox });
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof ConfigError || err instanceof TemplateLoadError) console.error(err.problems.join('\n'));
      else console.error(`error: ${(err as Error)?.message ?? err}`);
      process.exit(1);
    },
  );
}
