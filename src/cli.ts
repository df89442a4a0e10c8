#!/usr/bin/env -S MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=4 --heap-growing-percent=75
// The line above is the one place the service's process settings live (issue 18). None can be set
// from code: glibc reads its tunables and V8 sizes its heap before any JS runs. So `npm start`, the
// Docker image and the benchmark all start this file through its shebang or read them from it.
// - --max-semi-space-size=4: a young generation of 2 × 4 MB instead of V8's 2 × 16 MB, ~25 MB less
//   idle RSS at no measurable CPU cost per webhook.
// - --heap-growing-percent=75: the next full GC runs when the old generation reaches 1.75 × what the
//   last one kept, instead of up to 4 ×. A storm promotes short-lived request objects faster than
//   V8's default lets it collect them: after 10,000 webhooks 80 MB of the heap was garbage around
//   20 MB live, and RSS 185 MB instead of ~140. Not a heap limit: the heap still grows as needed.
// - MALLOC_TRIM_THRESHOLD_=131072: glibc gives freed memory above 128 KiB back to the OS instead
//   of raising the threshold and keeping it (the checkpoint thread's and the storm's leftovers).
import { parseArgs } from 'node:util';
import { ConfigError } from './config/errors';
import { TemplateLoadError } from './render/engine';

// Each command's module is required only when that command runs: `serve` never pays the memory of
// the others' code (and theirs not of serve's), issue 18. Types only, so nothing loads eagerly.
type Commands = {
  check: typeof import('./commands/check');
  deadLetters: typeof import('./commands/dead-letters');
  digest: typeof import('./commands/digest');
  render: typeof import('./commands/render');
  sendTest: typeof import('./commands/send-test');
  serve: typeof import('./commands/serve');
};
/* eslint-disable @typescript-eslint/no-require-imports */
const commands = {
  check: () => require('./commands/check') as Commands['check'],
  deadLetters: () => require('./commands/dead-letters') as Commands['deadLetters'],
  digest: () => require('./commands/digest') as Commands['digest'],
  render: () => require('./commands/render') as Commands['render'],
  sendTest: () => require('./commands/send-test') as Commands['sendTest'],
  serve: () => require('./commands/serve') as Commands['serve'],
};
/* eslint-enable @typescript-eslint/no-require-imports */

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
      return commands.serve().serveCommand({ config: values.config, listen: values.listen });
    case 'check': {
      const config = need('config');
      return config ? commands.check().checkCommand(config) : 2;
    }
    case 'render': {
      const source = need('source');
      const payload = source && need('payload');
      return source && payload ? commands.render().renderCommand({ config: values.config, source, payload, json: values.json, receiver: values.receiver }) : 2;
    }
    case 'send-test': {
      const receiver = need('receiver');
      return receiver ? commands.sendTest().sendTestCommand({ config: values.config, receiver }) : 2;
    }
    case 'digest': {
      const name = need('name');
      return name ? commands.digest().digestCommand({ config: values.config, name, period: values.period, dryRun: values['dry-run'] }) : 2;
    }
    case 'dead-letters':
      return commands.deadLetters().deadLettersCommand({ config: values.config, requeue: values.requeue, requeueAll: values['requeue-all'], outbox: values.outbox });
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
