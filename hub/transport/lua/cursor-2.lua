--[[
  Where a reconnecting subscriber's cursor sits in history, by index (no scan).
  KEYS[1] the append counter (see publish-3.lua)
  KEYS[2] the id index key of the cursor ("<entryId> <seq>")
  ARGV[1] history max age in ms
  Reply: { entryId or "", entries appended after the cursor or -1, oldest retained time in ms }.
  The caller decides: the cursor is in history when it has an entry, fewer than `size` entries
  were appended after it, and its entry is not older than the oldest retained time. (The stream's
  max-deleted-entry-id cannot tell: XTRIM does not update it, only XDEL does.)
]]
local now = redis.call('TIME')
local oldest = math.max(0, tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[1]))
local value = redis.call('GET', KEYS[2])
local entry, seq
if value then
  entry, seq = string.match(value, '^(%S+) (%d+)$')
end
if not entry then
  return { '', -1, string.format('%d', oldest) }
end
local behind = (tonumber(redis.call('GET', KEYS[1])) or 0) - tonumber(seq)
return { entry, behind, string.format('%d', oldest) }
