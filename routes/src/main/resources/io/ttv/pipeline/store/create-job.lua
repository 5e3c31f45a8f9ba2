-- Creates a job and queues it, atomically: the hash, the listing index and the queue entry appear together.
-- KEYS[1] job hash, KEYS[2] rq:jobs index, KEYS[3] queue list
-- ARGV[1] job id, ARGV[2] created time (epoch ms), ARGV[3..] field, value pairs
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('LPUSH', KEYS[3], ARGV[1])
return 1
