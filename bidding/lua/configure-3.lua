--[[
  configure: writes an auction's set-up. Creates the live fields on first call; on later calls
  keeps price, leader and sequence, and moves the end only forward once bids exist.
  KEYS[1] auction state hash   KEYS[2] eligibility hash   KEYS[3] idempotency hash (unused, same slot)
  ARGV: field/value pairs of the set-up (sale_id mode currency status starts_at scheduled_end
        grace_ms soft_close_ms soft_close_cap_ms increments opening reserve)
  Reply: 1 when created, 0 when updated.
]]
local created = redis.call('EXISTS', KEYS[1]) == 0
local setup = {}
for i = 1, #ARGV, 2 do
  setup[ARGV[i]] = ARGV[i + 1]
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if created then
  redis.call('HSET', KEYS[1], 'seq', '0', 'price', '0', 'leader', '', 'leader_max', '0', 'bid_count', '0',
    'ends_at', setup.scheduled_end, 'asking', setup.opening)
  return 1
end
local bids = tonumber(redis.call('HGET', KEYS[1], 'bid_count'))
local ends = tonumber(redis.call('HGET', KEYS[1], 'ends_at'))
if bids == 0 then
  redis.call('HSET', KEYS[1], 'ends_at', setup.scheduled_end, 'asking', setup.opening)
elseif tonumber(setup.scheduled_end) > ends then
  redis.call('HSET', KEYS[1], 'ends_at', setup.scheduled_end)
end
return 0
