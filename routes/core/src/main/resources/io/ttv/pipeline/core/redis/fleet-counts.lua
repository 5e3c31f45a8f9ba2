-- Queue depth and jobs running across the fleet, read in one round trip for the metrics scrape: O(live workers),
-- no KEYS/SCAN. KEYS[1] queue, KEYS[2] workers ZSET; ARGV[1] oldest live heartbeat (epoch ms),
-- ARGV[2] processing-list key prefix, ARGV[3] its suffix.
local queued = redis.call('LLEN', KEYS[1])
local processing = 0
for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '+inf')) do
  processing = processing + redis.call('LLEN', ARGV[2] .. w .. ARGV[3])
end
return {queued, processing}
