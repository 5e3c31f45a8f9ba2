-- Takes or renews a lease: true when the caller now holds it.
-- KEYS[1] lock key; ARGV[1] holder id, ARGV[2] lease in milliseconds
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0
