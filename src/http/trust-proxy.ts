import { BlockList, isIPv4 } from 'node:net';
import { NAMED_RANGES } from '../config/security-schema';

/**
 * trustProxy builds express's `trust proxy` function from `server.trusted_proxies`, read on every
 * call so a reload applies. Express walks X-Forwarded-For from the socket outwards while hops are
 * trusted; `req.ip` is the first untrusted one. Empty (the default): nothing is trusted and
 * `req.ip` is the socket address — a client cannot pick its own address by sending the header.
 */
export function trustProxy(current: () => string[]): (address: string, hop: number) => boolean {
  let compiledFor: string[] | undefined;
  let list = new BlockList();
  return (address) => {
    const entries = current();
    if (entries.length === 0) return false;
    if (entries !== compiledFor) {
      list = compile(entries);
      compiledFor = entries;
    }
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const plain = mapped ? mapped[1] : address;
    return list.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
  };
}

function compile(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries.flatMap((value) => NAMED_RANGES[value] ?? [value])) {
    const [address, prefix] = entry.split('/');
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}
