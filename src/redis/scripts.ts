/**
 * Lua scripts for the shared store. Each runs atomically in Redis, which is what makes the
 * multi-replica guarantees hold: one enqueue per notification within the dedup window, leases that
 * only their holder can renew or release. (Single-instance or primary/replica Redis; not Cluster:
 * job keys are derived inside the scripts.)
 */

/**
 * KEYS: dedup, seq, queue, receivers, notification log index. ARGV: windowMs, now, receiver,
 * notification JSON, job key prefix, summary JSON. Returns the id or 0 (duplicate).
 */
export const ENQUEUE = `
if tonumber(ARGV[1]) > 0 then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
end
local id = redis.call('INCR', KEYS[2])
redis.call('HSET', ARGV[5] .. id, 'receiver', ARGV[3], 'notification', ARGV[4], 'offset', 0, 'parts', 0,
  'attempts', 0, 'created', ARGV[2], 'next', ARGV[2], 'state', 'pending', 'summary', ARGV[6])
redis.call('ZADD', KEYS[3], id, id)
redis.call('SADD', KEYS[4], ARGV[3])
redis.call('ZADD', KEYS[5], id, id)
return id
`;

/** KEYS: lease. ARGV: owner, ttlMs. Acquire or renew; returns 1 when held by owner. */
export const LEASE_ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 2
`;

/** KEYS: lease. ARGV: owner. Release only our own lease. */
export const LEASE_RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: token. ARGV: token. Compare-and-delete. */
export const TOKEN_DELETE = `
local value = redis.call('GET', KEYS[1])
if value and cjson.decode(value).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
