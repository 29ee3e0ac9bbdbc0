-- Shared: increment tables ("from:step,from:step" ascending), integer formatting, and the largest
-- amount a bid may have (MAX_MINOR in common/money.ts; exact in a Lua double).
local MAX_AMOUNT = 9999999999999

-- Numbers are formatted with %d: Lua's tostring() switches to exponent notation above 1e14.
local function fmt(n)
  return string.format('%d', n)
end

local function increment_at(bands, price)
  local step = nil
  for from, s in string.gmatch(bands, '(%d+):(%d+)') do
    from = tonumber(from)
    s = tonumber(s)
    if step == nil then step = s end
    if from <= price then step = s end
  end
  return step or 1
end
