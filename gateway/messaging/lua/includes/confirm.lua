-- Shared by the confirmation scripts: the clock — Redis TIME in milliseconds (one clock for every
-- gateway), unless a test pinned it —, integer formatting (%d: tostring() switches to exponents
-- above 1e14), and a number's hash as a table.
local function now_ms(pinned)
  if pinned ~= '' then return tonumber(pinned) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fmt(n) return string.format('%d', n) end

local function read_hash(key)
  local raw = redis.call('HGETALL', key)
  local h = {}
  for i = 1, #raw, 2 do h[raw[i]] = raw[i + 1] end
  return h
end
