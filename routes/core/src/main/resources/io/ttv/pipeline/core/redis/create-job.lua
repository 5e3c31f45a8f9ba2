-- Creates a job and queues it, atomically: the hash, the listing index and the queue entry appear together.
-- With an Idempotency-Key, the key's record is checked and written in the same step, so concurrent identical
-- requests create exactly one job and every other one replays it. With a rate-limit bucket, the request takes its
-- token first (token-bucket.lua is prepended): a refused request writes nothing else.
-- KEYS[1] job hash, KEYS[2] rq:jobs index, KEYS[3] queue list, then the idempotency record if ARGV[5] is '1', then
-- the client's rate-limit bucket if ARGV[6] is not ''
-- ARGV[1] job id, ARGV[2] created time (epoch ms), ARGV[3] request fingerprint, ARGV[4] idempotency TTL (s),
-- ARGV[5] '1' with an idempotency record, ARGV[6] the bucket's refill rate in tokens per ms ('' = no bucket),
-- ARGV[7] the bucket's size, ARGV[8..] field, value pairs
-- Returns {'created', id}, {'replayed', earlier id} or {'reused', earlier id} (same key, another request),
-- {'exists', id} when the id is taken (nothing written), or {'limited', ''} when the bucket is empty; with a bucket,
-- followed by the four figures of take_token.
local idempotency, bucket
local next_key = 4
if ARGV[5] == '1' then
  idempotency = KEYS[next_key]
  next_key = next_key + 1
end
local rate = {}
if ARGV[6] ~= '' then
  bucket = KEYS[next_key]
  rate = take_token(bucket, tonumber(ARGV[6]), tonumber(ARGV[7]))
end
local function answer(outcome, id)
  return { outcome, id, unpack(rate) }
end
if bucket and rate[1] == 0 then
  return answer('limited', '')
end
if idempotency then
  local prior = redis.call('HMGET', idempotency, 'fingerprint', 'job_id')
  if prior[1] then
    if prior[1] == ARGV[3] then
      return answer('replayed', prior[2])
    end
    return answer('reused', prior[2])
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return answer('exists', ARGV[1])
end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('LPUSH', KEYS[3], ARGV[1])
if idempotency then
  redis.call('HSET', idempotency, 'fingerprint', ARGV[3], 'job_id', ARGV[1])
  redis.call('EXPIRE', idempotency, tonumber(ARGV[4]))
end
return answer('created', ARGV[1])
