-- Puts a running job that failed with a retryable error back in line for a later attempt (state-machine.lua is
-- prepended): status queued, the error kept as last_error, a due time in the delayed-retry set, and the job leaves
-- the worker's processing list — all at once.
-- KEYS[1] job hash, KEYS[2] delayed-retry ZSET, KEYS[3] processing list
-- ARGV[1] now (ISO-8601), ARGV[2] due time (epoch ms), ARGV[3] job id, ARGV[4] error message
local r = transition(KEYS[1], ARGV[3], 'queued', ARGV[1], '', { 'last_error', ARGV[4] })
if r[1] == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  redis.call('LREM', KEYS[3], 1, ARGV[3])
end
return r
