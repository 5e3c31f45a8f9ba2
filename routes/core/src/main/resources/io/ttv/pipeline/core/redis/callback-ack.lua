-- Ends a callback delivery that needs no further attempt (delivered, 410 Gone, refused, job gone). Only the
-- delivery claimed with this token is removed: one queued again meanwhile stays.
-- KEYS[1] delivery hash, KEYS[2] due ZSET
-- ARGV[1] delivery id, ARGV[2] token
-- Returns 1 when removed.
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
