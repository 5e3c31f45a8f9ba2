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

local TERMINAL = { finished = true, failed = true, canceled = true }

-- One HMGET and one HSET per move, whatever it writes.
local function transition(key, id, target, now, progress, fields, allowed)
  local job = redis.call('HMGET', key, 'status', 'started_at', 'progress', 'finished_at', 'attempts')
  local current = job[1]
  if not current then
    return { -1, '' }
  end
  local moves = (allowed or ALLOWED)[current]
  if not moves or not moves[target] then
    return { 0, current }
  end
  local set = { 'status', target, 'updated_at', now }
  local function put(field, value)
    set[#set + 1] = field
    set[#set + 1] = value
  end
  if target == 'started' then
    if not job[2] then
      put('started_at', now)
    end
    put('attempts', tostring((tonumber(job[5]) or 0) + 1))
  end
  if target == 'finished' then
    put('progress', '100')
  elseif progress ~= '' and tonumber(progress) > (tonumber(job[3]) or 0) then
    put('progress', progress)
  end
  if TERMINAL[target] and not job[4] then
    put('finished_at', now)
  end
  for i = 1, #fields do
    set[#set + 1] = fields[i]
  end
  redis.call('HSET', key, unpack(set))
  redis.call('PUBLISH', JOB_EVENTS, id)
  return { 1, target }
end
