-- Appends lines to a job's log, keeping the newest ones.
-- KEYS[1] job log list; ARGV[1] most lines kept, ARGV[2..] the lines
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
return 1
