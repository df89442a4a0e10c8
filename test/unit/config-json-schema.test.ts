import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configJsonSchema } from '../../src/config/json-schema';

describe('config JSON Schema (editor support)', () => {
  it('the committed config.schema.json is generated from the zod schema (run `npm run schema`)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../../config.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it('config.example.yaml references it for yaml-language-server', () => {
    const example = readFileSync(join(__dirname, '../../config.example.yaml'), 'utf8');
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=./config.schema.json');
    expect(parse(example)).toBeTruthy();
  });

  it('describes every top-level key and rejects unknown ones', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown>; additionalProperties?: boolean; required?: string[] };
    expect(Object.keys(schema.properties).sort()).toEqual(['delivery', 'digests', 'messages', 'oncall', 'receivers', 'route', 'server', 'storage', 'templates', 'wecom']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['receivers', 'route']));
  });
});
