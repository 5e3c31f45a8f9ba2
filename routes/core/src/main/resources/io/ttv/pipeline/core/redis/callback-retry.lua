-- After a failed attempt of a callback delivery: it waits in the due set until its next attempt, its error kept.
-- Applies only while it is the delivery that was claimed (token) and no later attempt has been claimed since.
-- KEYS[1] delivery hash, KEYS[2] due ZSET
-- ARGV[1] delivery id, ARGV[2] token, ARGV[3] attempt, ARGV[4] due time (epoch ms), ARGV[5] error
-- Returns 1 when scheduled.
local h = redis.call('HMGET', KEYS[1], 'token', 'attempt')
if h[1] ~= ARGV[2] or h[2] ~= ARGV[3] then
  return 0
end
redis.call('HSET', KEYS[1], 'last_error', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
