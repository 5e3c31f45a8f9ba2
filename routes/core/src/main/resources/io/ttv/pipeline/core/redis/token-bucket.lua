-- A token bucket per client, shared by every API node; prepended to the scripts that take a request's token. Redis's
-- clock is used, so nodes need not agree on time.
-- take_token(key, rate, burst): key is the bucket hash, rate its refill in tokens per millisecond, burst its size.
-- Returns {allowed 1|0, tokens left (floor), ms until one token is available, ms until the bucket is full}.
local function take_token(key, rate, burst)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local state = redis.call('HMGET', key, 'tokens', 'ts')
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
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', now)
  redis.call('PEXPIRE', key, full_in + 1000)
  local next_in = 0
  if tokens < 1 then
    next_in = math.ceil((1 - tokens) / rate)
  end
  return { allowed, math.floor(tokens), next_in, full_in }
end
