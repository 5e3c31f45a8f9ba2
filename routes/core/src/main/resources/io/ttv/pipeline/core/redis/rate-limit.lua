-- A token bucket per client, shared by every API node. Redis's clock is used, so nodes need not agree on time.
-- KEYS[1] bucket hash; ARGV[1] refill rate in tokens per millisecond, ARGV[2] bucket size (burst)
-- Returns {allowed 1|0, tokens left (floor), ms until one token is available, ms until the bucket is full}.
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local last = tonumber(state[2]) or now
if now > last then
  tokens = math.min(burst, tokens + (now - last) * rate)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local full_in = math.ceil((burst - tokens) / rate)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], full_in + 1000)
local next_in = 0
if tokens < 1 then
  next_in = math.ceil((1 - tokens) / rate)
end
return { allowed, math.floor(tokens), next_in, full_in }
