-- Fixes what every attempt of a callback delivery sends: its webhook-id, target and body, written by the first
-- attempt that gets here and kept by every later one (on any node).
-- KEYS[1] delivery hash
-- ARGV[1] token, ARGV[2] webhook-id, ARGV[3] target URL, ARGV[4] body, ARGV[5] now (epoch ms)
-- Returns {webhook-id, target, body} as stored, or an empty list when the delivery is gone or was replaced.
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
  return {}
end
if redis.call('HSETNX', KEYS[1], 'body', ARGV[4]) == 1 then
  redis.call('HSET', KEYS[1], 'webhook_id', ARGV[2], 'target', ARGV[3], 'first_attempt_at', ARGV[5])
end
return redis.call('HMGET', KEYS[1], 'webhook_id', 'target', 'body')
