--[[
  mark-published: remembers the hub event id of the newest published update of an auction, so a
  snapshot can tell clients where to resume (snapshot, then exactly the deltas after it).
  KEYS[1] auction state hash
  ARGV[1] decision seq   ARGV[2] hub event id
  Reply: 1 when recorded, 0 when a newer one was already recorded.
]]
local current = tonumber(redis.call('HGET', KEYS[1], 'published_seq') or '0')
if tonumber(ARGV[1]) <= current then return 0 end
redis.call('HSET', KEYS[1], 'published_seq', ARGV[1], 'published_event_id', ARGV[2])
return 1
