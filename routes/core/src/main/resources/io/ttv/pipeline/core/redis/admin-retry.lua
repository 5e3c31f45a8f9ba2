-- An operator's retry of a failed job (ttv:job-retry; state-machine.lua is prepended): the one move outside the
-- normal state machine, failed -> queued, allowed only here through ADMIN_ALLOWED. The job gets a fresh set of
-- attempts (attempts 0), its error is kept as last_error, progress and the failure fields are cleared, and it goes
-- to the back of the queue, atomically. finished and canceled jobs are refused with their status.
-- KEYS[1] job hash, KEYS[2] queue list; ARGV[1] now (ISO-8601), ARGV[2] job id
-- Returns {1, 'queued'} when requeued, {0, current status} when refused, {-1, ''} when missing.
local err = redis.call('HGET', KEYS[1], 'error')
local r = transition(KEYS[1], ARGV[2], 'queued', ARGV[1], '', {}, ADMIN_ALLOWED)
if r[1] ~= 1 then
  return r
end
redis.call('HDEL', KEYS[1], 'error', 'retryable', 'finished_at')
redis.call('HSET', KEYS[1], 'attempts', '0', 'progress', '0')
if err then
  redis.call('HSET', KEYS[1], 'last_error', err)
end
redis.call('LPUSH', KEYS[2], ARGV[2])
return r
