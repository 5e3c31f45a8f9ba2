-- One state-machine write (state-machine.lua is prepended).
-- KEYS[1] job hash
-- ARGV[1] job id, ARGV[2] target status, ARGV[3] now (ISO-8601), ARGV[4] progress ('' = unchanged),
-- ARGV[5..] field, value pairs
return transition(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], { unpack(ARGV, 5) })
