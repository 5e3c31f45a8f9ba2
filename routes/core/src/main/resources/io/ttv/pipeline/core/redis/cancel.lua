-- Cancels a job (state-machine.lua is prepended). A queued job leaves the queue (or the delayed retries) at once; a running job is marked
-- canceled and its worker is signalled on the cancel channel to abort.
-- KEYS[1] job hash, KEYS[2] queue, KEYS[3] delayed-retry ZSET; ARGV[1] now (ISO-8601), ARGV[2] job id,
-- ARGV[3] cancel channel
-- Returns {1, 'queued'|'running'} when canceled, {0, current status} when terminal, {-1, ''} when missing.
local current = redis.call('HGET', KEYS[1], 'status')
local r = transition(KEYS[1], ARGV[2], 'canceled', ARGV[1], '', {})
if r[1] ~= 1 then
  return r
end
if current == 'queued' then
  redis.call('LREM', KEYS[2], 0, ARGV[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
  return { 1, 'queued' }
end
redis.call('PUBLISH', ARGV[3], ARGV[2])
return { 1, 'running' }
