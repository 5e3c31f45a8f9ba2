-- Deletes one terminal job (ttv:jobs-purge): its hash, its log list and its entry in the rq:jobs index, atomically,
-- and only while it is still finished, failed or canceled and finished before the cutoff.
-- KEYS[1] job hash, KEYS[2] job logs, KEYS[3] rq:jobs index; ARGV[1] job id, ARGV[2] cutoff (ISO-8601 UTC)
-- Returns 1 when purged, 0 when kept, -1 when the hash was already gone (its index entry is removed then too).
local fields = redis.call('HMGET', KEYS[1], 'status', 'finished_at', 'updated_at')
local status = fields[1]
if not status then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return -1
end
if status ~= 'finished' and status ~= 'failed' and status ~= 'canceled' then
  return 0
end
local ended = fields[2] or fields[3] or ''
if ended == '' or ended >= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
