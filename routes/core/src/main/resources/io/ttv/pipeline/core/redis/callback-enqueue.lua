-- Queues one callback delivery of a job event in Redis: a hash saying what to deliver and the delivery's due time in
-- the due set. The node that queues it hands it to its own delivery route at once; the due time (now + a grace)
-- lets any node take it when that hand-off is lost (a node stopped, crashed or swapped) or late (a backlog).
-- Nothing is written when the job has not subscribed to the event (no callback_url, or the event is not in its
-- callback_events), unless ARGV[6] is '1' (an operator's replay of a dead letter).
-- A pending delivery of the same job event is replaced: the new token fences off the old one's attempts.
-- KEYS[1] job hash, KEYS[2] delivery hash, KEYS[3] due ZSET
-- ARGV[1] delivery id, ARGV[2] job id, ARGV[3] event, ARGV[4] token, ARGV[5] now (epoch ms), ARGV[6] '1' to skip
-- the subscription check, ARGV[7] due time (epoch ms)
-- Returns 1 when queued, 0 when the job takes no such callback.
if ARGV[6] ~= '1' then
  local sub = redis.call('HMGET', KEYS[1], 'callback_url', 'callback_events')
  if not sub[1] or sub[1] == '' then
    return 0
  end
  local subscribed = false
  for e in string.gmatch(sub[2] or '', '[^,]+') do
    if e == ARGV[3] then
      subscribed = true
      break
    end
  end
  if not subscribed then
    return 0
  end
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'job_id', ARGV[2], 'event', ARGV[3], 'token', ARGV[4], 'attempt', '0',
  'queued_at', ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
return 1
