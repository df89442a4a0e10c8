#!/usr/bin/env node
// Writes config.schema.json (editor support) from the zod config schema. Run `npm run schema`
// after changing src/config/*schema*.ts; a test fails while the committed file is stale.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { configJsonSchema } = require('../dist/src/config/json-schema.js');

const target = join(__dirname, '..', 'config.schema.json');
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
