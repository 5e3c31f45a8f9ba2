-- Takes one request's token (token-bucket.lua is prepended).
-- KEYS[1] bucket hash; ARGV[1] refill rate in tokens per millisecond, ARGV[2] bucket size (burst)
return take_token(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
