--[[
  Publishes a batch of subscription events, only when some hub instance has a subscriber who may
  read them. The events never go into the update stream (history): there, every connection's
  events pushed real updates out of replay. They go over pub/sub, live only.
  KEYS[1] the watching instances (sorted set: instance id -> expiry time in ms), written by each
          hub instance while it has a subscriber whose claims may cover subscription events
  ARGV[1] the pub/sub channel of subscription events
  ARGV[2] the batch (JSON array of updates)
  Reply: the number of instances that received it, or -1 when nobody may read it (not published).
]]
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if redis.call('ZCOUNT', KEYS[1], ms, '+inf') == 0 then
  return -1
end
return redis.call('PUBLISH', ARGV[1], ARGV[2])
