-- Claims callback deliveries for one attempt each. A claimed delivery gets a lease: its score in the due set moves
-- to the lease's end, so no other node takes it meanwhile, and a node that dies mid-attempt lets another take it
-- once the lease has ended. Its attempt count goes up by one (an attempt lost with its node counts).
-- Two kinds of claim:
--   token empty: the deliveries among the candidates that are still due (score <= now); candidates whose hash is
--     gone leave the set;
--   token given: the hand-off of the node that queued the delivery, which may claim it before it is due, but only
--     while it is the same delivery (token) and no attempt has been claimed yet.
-- KEYS[1] due ZSET, KEYS[2..n+1] the candidates' delivery hashes
-- ARGV[1] now (epoch ms), ARGV[2] lease end (epoch ms), ARGV[3] token or '', ARGV[4..n+3] the candidates' ids (in
-- KEYS order)
-- Returns one HGETALL field/value list per claimed delivery, with 'id' appended.
local claimed = {}
for i = 2, #KEYS do
  local id = ARGV[i + 2]
  local take = false
  if ARGV[3] ~= '' then
    local h = redis.call('HMGET', KEYS[i], 'token', 'attempt')
    take = h[1] == ARGV[3] and h[2] == '0'
  else
    local score = redis.call('ZSCORE', KEYS[1], id)
    if score and tonumber(score) <= tonumber(ARGV[1]) then
      if redis.call('EXISTS', KEYS[i]) == 1 then
        take = true
      else
        redis.call('ZREM', KEYS[1], id)
      end
    end
  end
  if take then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    redis.call('HINCRBY', KEYS[i], 'attempt', 1)
    local fields = redis.call('HGETALL', KEYS[i])
    fields[#fields + 1] = 'id'
    fields[#fields + 1] = id
    claimed[#claimed + 1] = fields
  end
end
return claimed
