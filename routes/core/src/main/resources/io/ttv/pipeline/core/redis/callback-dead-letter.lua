-- Gives a callback delivery up after its last attempt: it leaves the queue and becomes a dead letter of the same id
-- (replacing an older one), in one step. Applies only to the delivery that was claimed (token, attempt).
-- KEYS[1] delivery hash, KEYS[2] due ZSET, KEYS[3] dead-letter hash, KEYS[4] dead-letter ZSET
-- ARGV[1] delivery id, ARGV[2] token, ARGV[3] attempt, ARGV[4] now (epoch ms), ARGV[5..] the dead letter's fields
-- and values
-- Returns 1 when dead-lettered.
local h = redis.call('HMGET', KEYS[1], 'token', 'attempt')
if h[1] ~= ARGV[2] or h[2] ~= ARGV[3] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], unpack(ARGV, 5))
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
return 1
