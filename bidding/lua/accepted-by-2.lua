--[[
  accepted-by: one bidder's page of the bid listing — the entries of the accepted-bid index whose
  ids are in the bidder's list (see place-bid-6.lua), after a cursor. The list is in id order, so
  the cursor is found by binary search: the work is the page, not the bidder's bids before it.

  KEYS[1] accepted-bid index (stream)     KEYS[2] the bidder's list of its ids
  ARGV[1] cursor: a stream id ('0' = from the start)    ARGV[2] count

  Reply: the entries as XRANGE gives them ({ id, { field, value, ... } } each), oldest first.
]]
local function parse(id)
  local ms, n = string.match(id, '^(%d+)-(%d+)$')
  if ms == nil then return tonumber(id) or 0, 0 end
  return tonumber(ms), tonumber(n)
end
local after_ms, after_n = parse(ARGV[1])
local function after(id)
  local ms, n = parse(id)
  return ms > after_ms or (ms == after_ms and n > after_n)
end

local lo, hi = 0, redis.call('LLEN', KEYS[2])
while lo < hi do
  local mid = math.floor((lo + hi) / 2)
  if after(redis.call('LINDEX', KEYS[2], mid)) then hi = mid else lo = mid + 1 end
end
local out = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[2], lo, lo + tonumber(ARGV[2]) - 1)) do
  local e = redis.call('XRANGE', KEYS[1], id, id)
  if e[1] then out[#out + 1] = e[1] end
end
return out
