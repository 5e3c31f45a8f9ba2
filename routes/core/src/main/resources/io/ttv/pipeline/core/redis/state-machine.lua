-- The job state machine (docs/architecture.md, "Job states"), shared by every script that changes a job's status:
-- it is prepended to them. Every such script gets the job-events channel (RedisKeys.JOB_EVENTS_CHANNEL) as its first
-- ARGV, which this prologue takes off, so that the script's own ARGV start at 1.
-- transition(key, id, target, now, progress, fields, allowed) returns {1, status} when applied, {0, current status}
-- when refused, {-1, ''} when the job does not exist. key is the job's hash and id the job's id; progress '' leaves
-- progress alone; fields are extra field, value pairs written with the transition; allowed (optional, default
-- ALLOWED) is the table of allowed moves. Every applied transition publishes the job id on the job-events channel,
-- which wakes long-polling readers.
local JOB_EVENTS = table.remove(ARGV, 1)
local ALLOWED = {
  queued   = { started = true, canceled = true },
  started  = { progress = true, finished = true, failed = true, canceled = true, queued = true },
  progress = { progress = true, finished = true, failed = true, canceled = true, queued = true },
}
-- Moves only an operator may make, by an explicit admin command (admin-retry.lua, ttv:job-retry): a failed job
-- back to the queue. finished and canceled stay terminal for everyone.
local ADMIN_ALLOWED = {
  failed = { queued = true },
}

local function transition(key, id, target, now, progress, fields, allowed)
  local current = redis.call('HGET', key, 'status')
  if not current then
    return { -1, '' }
  end
  local moves = (allowed or ALLOWED)[current]
  if not moves or not moves[target] then
    return { 0, current }
  end
  if target == 'started' then
    if not redis.call('HGET', key, 'started_at') then
      redis.call('HSET', key, 'started_at', now)
    end
    redis.call('HINCRBY', key, 'attempts', 1)
  end
  if progress ~= '' then
    local old = tonumber(redis.call('HGET', key, 'progress') or '0')
    if tonumber(progress) > old then
      redis.call('HSET', key, 'progress', progress)
    end
  end
  if target == 'finished' then
    redis.call('HSET', key, 'progress', '100')
  end
  if target == 'finished' or target == 'failed' or target == 'canceled' then
    if not redis.call('HGET', key, 'finished_at') then
      redis.call('HSET', key, 'finished_at', now)
    end
  end
  redis.call('HSET', key, 'status', target, 'updated_at', now)
  if #fields > 0 then
    redis.call('HSET', key, unpack(fields))
  end
  redis.call('PUBLISH', JOB_EVENTS, id)
  return { 1, target }
end
