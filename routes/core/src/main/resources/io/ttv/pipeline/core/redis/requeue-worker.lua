-- Gives back the jobs of a worker that stopped or died (state-machine.lua is prepended): each job still in its
-- processing list returns to the queue, oldest claim first, in front of jobs that were never claimed; a running job
-- that has already used up its attempts is failed instead. The processing list is then deleted.
-- With ARGV[5..], only those ids are given back (a live worker's orphans: jobs whose end could not be recorded);
-- they leave the list, which is otherwise kept.
-- KEYS[1] processing list, KEYS[2] queue
-- ARGV[1] max attempts, ARGV[2] now (ISO-8601), ARGV[3] job key prefix, ARGV[4] error message for exhausted jobs
-- Returns {number requeued, failed job id, ...}
local only = {}
local selective = #ARGV >= 5
for i = 5, #ARGV do
  only[ARGV[i]] = true
end
local all = redis.call('LRANGE', KEYS[1], 0, -1)
local ids = {}
for _, id in ipairs(all) do
  if not selective or only[id] then
    ids[#ids + 1] = id
  end
end
local requeued = 0
local failed = {}
-- The processing list is filled from the left: ids[1] is the newest claim. RPUSH in this order leaves the oldest
-- claim at the right end of the queue, where the next BLMOVE takes it.
for i = 1, #ids do
  local id = ids[i]
  local key = ARGV[3] .. id
  local status = redis.call('HGET', key, 'status')
  if status == 'started' or status == 'progress' then
    local attempts = tonumber(redis.call('HGET', key, 'attempts') or '0')
    if attempts >= tonumber(ARGV[1]) then
      transition(key, id, 'failed', ARGV[2], '', { 'error', ARGV[4], 'retryable', 'false' })
      failed[#failed + 1] = id
    else
      transition(key, id, 'queued', ARGV[2], '', {})
      redis.call('RPUSH', KEYS[2], id)
      requeued = requeued + 1
    end
  elseif status == 'queued' then
    redis.call('RPUSH', KEYS[2], id)
    requeued = requeued + 1
  end
end
if selective then
  for _, id in ipairs(ids) do
    redis.call('LREM', KEYS[1], 0, id)
  end
else
  redis.call('DEL', KEYS[1])
end
local result = { requeued }
for _, id in ipairs(failed) do
  result[#result + 1] = id
end
return result
