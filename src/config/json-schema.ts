import { z } from 'zod';
import { configSchema } from './schema';

/**
 * configJsonSchema derives the editor JSON Schema from the zod config schema (the single source of
 * truth), describing what users write (the input side: durations as strings, etc.).
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/wecom-alert-adapter/wecom-alert-adapter/config.schema.json',
    title: 'wecom-alert-adapter configuration',
    description: 'Configuration of wecom-alert-adapter (see config.example.yaml).',
  };
}
