--[[
  Appends one update to the hub's stream, at most once per update id.
  KEYS[1] the update stream
  KEYS[2] the id index key for this update id (holds its stream entry id)
  ARGV[1] update id          ARGV[2] topics (JSON array)   ARGV[3] data
  ARGV[4] private ("1"/"0")  ARGV[5] type ("" = none)       ARGV[6] retry ("" = none)
  ARGV[7] max entries kept   ARGV[8] max age in ms
  Reply: { 0, entryId } when appended, { 1, entryId } when the id was already published.
]]
local existing = redis.call('GET', KEYS[2])
if existing then
  return { 1, existing }
end
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 't', ARGV[2], 'd', ARGV[3], 'p', ARGV[4], 'y', ARGV[5], 'r', ARGV[6])
redis.call('SET', KEYS[2], entry, 'PX', ARGV[8])
redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[7])
local now = redis.call('TIME')
local oldest = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[8])
if oldest > 0 then
  redis.call('XTRIM', KEYS[1], 'MINID', tostring(oldest) .. '-0')
end
return { 0, entry }
