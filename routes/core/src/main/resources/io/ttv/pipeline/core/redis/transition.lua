-- One state-machine write (state-machine.lua is prepended).
-- KEYS[1] job hash
-- ARGV[1] target status, ARGV[2] now (ISO-8601), ARGV[3] progress ('' = unchanged), ARGV[4..] field, value pairs
return transition(KEYS[1], ARGV[1], ARGV[2], ARGV[3], { unpack(ARGV, 4) })
