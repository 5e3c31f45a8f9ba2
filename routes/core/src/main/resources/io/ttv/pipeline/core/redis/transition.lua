-- One state-machine write (state-machine.lua is prepended), with the job log line that records it, atomically: a
-- node killed right after the transition cannot leave it unlogged.
-- KEYS[1] job hash, KEYS[2] job log list
-- ARGV[1] job id, ARGV[2] target status, ARGV[3] now (ISO-8601), ARGV[4] progress ('' = unchanged),
-- ARGV[5] log line ('' = none), ARGV[6] most log lines kept, ARGV[7..] field, value pairs
local r = transition(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], { unpack(ARGV, 7) })
if r[1] == 1 and ARGV[5] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[5])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[6]), -1)
end
return r
