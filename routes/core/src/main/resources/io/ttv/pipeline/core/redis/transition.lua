-- One state-machine write (state-machine.lua is prepended) with what goes with it, atomically: the job log lines that
-- record it (a node killed right after the transition cannot leave it unlogged), the job leaving its worker's
-- processing list (its end is settled), and the job's fields for a caller that goes on with them.
-- KEYS[1] job hash, KEYS[2] job log list, KEYS[3] (optional) the worker's processing list, which the job leaves
-- ARGV[1] job id, ARGV[2] target status, ARGV[3] now (ISO-8601), ARGV[4] progress ('' = unchanged),
-- ARGV[5] most log lines kept, ARGV[6] '1' to return the job's fields, ARGV[7] the number n of log lines,
-- ARGV[8 .. 7 + n] the log lines, then field, value pairs to write
-- Returns the state machine's answer; when applied and asked for, the job's fields (HGETALL) as its third element.
local lines = tonumber(ARGV[7])
local r = transition(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], { unpack(ARGV, 8 + lines) })
if r[1] == 1 then
  if lines > 0 then
    redis.call('RPUSH', KEYS[2], unpack(ARGV, 8, 7 + lines))
    redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
  end
  if KEYS[3] then
    redis.call('LREM', KEYS[3], 1, ARGV[1])
  end
  if ARGV[6] == '1' then
    r[3] = redis.call('HGETALL', KEYS[1])
  end
end
return r
