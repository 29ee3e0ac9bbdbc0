-- Shared: an auction's state hash as a table (nil when the auction is unknown), and the decision
-- clock — Redis TIME in milliseconds, unless a test pinned it.
local function read_state_hash(key)
  local raw = redis.call('HGETALL', key)
  if #raw == 0 then return nil end
  local st = {}
  for i = 1, #raw, 2 do st[raw[i]] = raw[i + 1] end
  return st
end

local function decision_time(pinned)
  if pinned ~= '' then return tonumber(pinned) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
