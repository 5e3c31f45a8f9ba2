-- Reads several job hashes in one round trip. KEYS: job hashes. Returns one flat field, value list per key
-- (empty for a missing job), in the order of KEYS.
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('HGETALL', key)
end
return out
