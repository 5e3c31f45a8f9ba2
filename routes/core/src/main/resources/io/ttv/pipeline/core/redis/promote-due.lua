-- Moves delayed retries whose time has come to the front of the queue.
-- KEYS[1] delayed-retry ZSET, KEYS[2] queue; ARGV[1] now (epoch ms), ARGV[2] most to move
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('RPUSH', KEYS[2], id)
end
return #due
