/** ConfigError carries every problem found in a config, one line each, already prefixed with the file name. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}
