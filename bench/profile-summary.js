'use strict';
/**
 * profile-summary: where a service process spent its CPU, from a V8 `.cpuprofile` (`node --cpu-prof`),
 * grouped into the parts of the product (self time of each sampled frame, by the file it is in).
 * Used by bench/run.js to explain, from the same run, what is left of a missed target.
 */
const fs = require('node:fs');

/** Components, first match wins; `test` gets the frame's URL (or its name for native frames). */
const COMPONENTS = [
  ['HTTP server and express (node:http, router, body reading, response)', (url) => /node:_http|node:net|node:internal\/streams|node:stream|node_modules\/(express|router|body-parser|raw-body|finalhandler|send|on-finished|type-is|content-type|iconv-lite|depd|http-errors|qs)\/|\/dist\/src\/http\/|^writev$|^writeBuffer$|^writeUtf8String$/.test(url)],
  ['payload parsing and validation (sources, zod, JSON)', (url) => /\/dist\/src\/sources\/|node_modules\/zod\/|^JSON\./.test(url)],
  ['routing, planning, dedup keys (pipeline, routing, model)', (url) => /\/dist\/src\/(pipeline|routing|model)\/|node:internal\/crypto/.test(url)],
  ['outbox storage (SQLite store, better-sqlite3)', (url) => /\/dist\/src\/(outbox\/sqlite|storage|firing-state)|node_modules\/better-sqlite3\//.test(url)],
  ['alert history (digests)', (url) => /\/dist\/src\/history\//.test(url)],
  ['rendering and packing messages (render, handlebars)', (url) => /\/dist\/src\/render\/|node_modules\/handlebars\//.test(url)],
  ['delivery loop and the WeCom call (worker, channels, undici)', (url) => /\/dist\/src\/(outbox|channels)\/|node_modules\/undici\/|node:internal\/deps\/undici/.test(url)],
  ['metrics and logging (prom-client, pino)', (url) => /node_modules\/(prom-client|pino|sonic-boom|thread-stream)\/|\/dist\/src\/(metrics|logger)/.test(url)],
  ['garbage collection', (url, name) => name === '(garbage collector)'],
  ['event loop, timers, promises (Node.js internals)', (url) => /^node:/.test(url)],
];

/** summarize returns [{ component, ms, share }] of the busy (non-idle) time, largest first. */
function summarize(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] || 0;
    const name = node.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(root)') continue;
    busy += dt;
    const url = node.callFrame.url || name;
    const found = COMPONENTS.find(([, test]) => test(url, name));
    const component = found ? found[0] : 'other (module loading, native code, everything else)';
    totals.set(component, (totals.get(component) || 0) + dt);
  }
  return [...totals]
    .map(([component, us]) => ({ component, ms: us / 1000, share: busy > 0 ? us / busy : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

module.exports = { summarize };

if (require.main === module) {
  for (const row of summarize(process.argv[2])) console.log(`${(row.share * 100).toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(6)} ms  ${row.component}`);
}
