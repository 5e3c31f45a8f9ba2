-- Deletes one terminal job (ttv:jobs-purge and the retention sweep): its hash, its log list, its entry in the rq:jobs
-- index and its callback dead letters, atomically, and only while it is still finished, failed or canceled and
-- finished before the cutoff.
-- KEYS[1] job hash, KEYS[2] job logs, KEYS[3] rq:jobs index, KEYS[4] callback dead-letter index,
-- KEYS[5..] the job's dead-letter hashes; ARGV[1] job id, ARGV[2] cutoff (ISO-8601 UTC), ARGV[3..] the dead-letter
-- ids (in the order of KEYS[5..])
-- Returns 1 when purged, 0 when kept, -1 when the hash was already gone (what else it owned is removed then too).
local function purge_owned()
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[1])
  for i = 5, #KEYS do
    redis.call('DEL', KEYS[i])
    redis.call('ZREM', KEYS[4], ARGV[i - 2])
  end
end
local fields = redis.call('HMGET', KEYS[1], 'status', 'finished_at', 'updated_at')
local status = fields[1]
if not status then
  purge_owned()
  return -1
end
if status ~= 'finished' and status ~= 'failed' and status ~= 'canceled' then
  return 0
end
local ended = fields[2] or fields[3] or ''
if ended == '' or ended >= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1])
purge_owned()
return 1
