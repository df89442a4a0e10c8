import type { Agent, Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici';

/**
 * undiciParts loads the parts of undici the WeCom client uses — its connection agents and its
 * `request` API — instead of the package's index (issue 18: memory). The index also builds
 * undici's fetch, WebSocket, cookies and mock layers, and its cookie module reads
 * `globalThis.Headers`, which makes Node load its own bundled copy of undici as well: about 8 MB
 * of RSS that a service sending JSON over keep-alive never uses. The paths are undici's own files
 * (the version is pinned in package.json; test/unit/channels-http-client.test.ts drives them).
 */
export interface UndiciParts {
  Agent: typeof Agent;
  ProxyAgent: typeof ProxyAgent;
  EnvHttpProxyAgent: typeof EnvHttpProxyAgent;
  /** `Dispatcher.prototype.request`, called with a dispatcher as `this`. */
  request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
}

let parts: UndiciParts | undefined;

export function undiciParts(): UndiciParts {
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (!parts) {
    // What undici's index does before anything is dispatched: the request/stream/connect/… API
    // on every dispatcher (its ProxyAgent tunnels with `connect`).
    Object.assign((require('undici/lib/dispatcher/dispatcher.js') as { prototype: object }).prototype, require('undici/lib/api/index.js'));
  }
  parts ??= {
    Agent: require('undici/lib/dispatcher/agent.js') as typeof Agent,
    ProxyAgent: require('undici/lib/dispatcher/proxy-agent.js') as typeof ProxyAgent,
    EnvHttpProxyAgent: require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof EnvHttpProxyAgent,
    request: require('undici/lib/api/api-request.js') as UndiciParts['request'],
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return parts;
}
