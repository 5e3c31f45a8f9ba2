-- Creates a job and queues it, atomically: the hash, the listing index and the queue entry appear together.
-- With an Idempotency-Key, the key's record is checked and written in the same step, so concurrent identical
-- requests create exactly one job and every other one replays it.
-- KEYS[1] job hash, KEYS[2] rq:jobs index, KEYS[3] queue list, KEYS[4] idempotency record (optional)
-- ARGV[1] job id, ARGV[2] created time (epoch ms), ARGV[3] request fingerprint, ARGV[4] idempotency TTL (s),
-- ARGV[5..] field, value pairs
-- Returns {'created', id}, {'replayed', earlier id} or {'reused', earlier id} (same key, another request), or
-- {'exists', id} when the id is taken (nothing written).
if KEYS[4] then
  local prior = redis.call('HMGET', KEYS[4], 'fingerprint', 'job_id')
  if prior[1] then
    if prior[1] == ARGV[3] then
      return { 'replayed', prior[2] }
    end
    return { 'reused', prior[2] }
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return { 'exists', ARGV[1] }
end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('LPUSH', KEYS[3], ARGV[1])
if KEYS[4] then
  redis.call('HSET', KEYS[4], 'fingerprint', ARGV[3], 'job_id', ARGV[1])
  redis.call('EXPIRE', KEYS[4], tonumber(ARGV[4]))
end
return { 'created', ARGV[1] }
