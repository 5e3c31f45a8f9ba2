-- The job state machine (SPEC §4), the only writer of a job's status.
-- KEYS[1] job hash
-- ARGV[1] target status, ARGV[2] now (ISO-8601), ARGV[3] progress ('' = unchanged), ARGV[4..] field, value pairs
-- Returns {1, status} when applied, {0, current status} when refused, {-1, ''} when the job does not exist.
local allowed = {
  queued   = { started = true, canceled = true },
  started  = { progress = true, finished = true, failed = true, canceled = true, queued = true },
  progress = { progress = true, finished = true, failed = true, canceled = true, queued = true },
}
local current = redis.call('HGET', KEYS[1], 'status')
if not current then
  return { -1, '' }
end
local target = ARGV[1]
local moves = allowed[current]
if not moves or not moves[target] then
  return { 0, current }
end
local now = ARGV[2]
if target == 'started' then
  if not redis.call('HGET', KEYS[1], 'started_at') then
    redis.call('HSET', KEYS[1], 'started_at', now)
  end
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
end
if ARGV[3] ~= '' then
  local old = tonumber(redis.call('HGET', KEYS[1], 'progress') or '0')
  local new = tonumber(ARGV[3])
  if new > old then
    redis.call('HSET', KEYS[1], 'progress', ARGV[3])
  end
end
if target == 'finished' then
  redis.call('HSET', KEYS[1], 'progress', '100')
end
if target == 'finished' or target == 'failed' or target == 'canceled' then
  if not redis.call('HGET', KEYS[1], 'finished_at') then
    redis.call('HSET', KEYS[1], 'finished_at', now)
  end
end
redis.call('HSET', KEYS[1], 'status', target, 'updated_at', now)
if #ARGV > 3 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 4))
end
return { 1, target }
