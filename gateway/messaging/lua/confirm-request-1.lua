--[[
  confirm-request: opens the confirmation of a texted bid, or finds the one an earlier delivery of
  the same message opened. Mirrors MemoryBidConfirmations.request (../confirmations.ts).

  KEYS[1] the sender's number's hash: c:<code> the request (JSON), s:<code> its state (pending,
          confirmed, expired), e:<code> its expiry (ms), k:<code> its message key,
          m:<message key> its code; f wrong codes counted, fu counted until (ms)
  ARGV[1] message key    ARGV[2] a fresh random code    ARGV[3] the request (JSON, kept as is)
  ARGV[4] window ms      ARGV[5] retain ms (a code is remembered this long after it was issued)
  ARGV[6] max wrong codes    ARGV[7] keep ms (the hash's time to live)
  ARGV[8] now in ms ("" = Redis TIME: one clock for every gateway)

  Reply: { kind, code, request, expires_at } with kind pending | confirmed | expired;
    { 'locked' } (too many wrong codes lately); { 'taken' } (the fresh code is one this number
    already has: draw another)
]]
-- @include confirm.lua

local key = KEYS[1]
local message, window, retain = ARGV[1], tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms(ARGV[8])

-- Forget codes past remembering.
local h = read_hash(key)
for f, v in pairs(h) do
  if string.sub(f, 1, 2) == 'e:' and tonumber(v) - window + retain < now then
    local code = string.sub(f, 3)
    redis.call('HDEL', key, 'c:' .. code, 's:' .. code, 'e:' .. code, 'k:' .. code)
    if h['k:' .. code] then redis.call('HDEL', key, 'm:' .. h['k:' .. code]) end
  end
end

local known = redis.call('HGET', key, 'm:' .. message)
if known then
  local state = redis.call('HGET', key, 's:' .. known)
  local expires = redis.call('HGET', key, 'e:' .. known)
  if state == 'pending' and now > tonumber(expires) then
    state = 'expired'
    redis.call('HSET', key, 's:' .. known, state)
  end
  return { state, known, redis.call('HGET', key, 'c:' .. known), expires }
end

if tonumber(h['f'] or '0') >= tonumber(ARGV[6]) and now < tonumber(h['fu'] or '0') then return { 'locked' } end
local code = ARGV[2]
if redis.call('HEXISTS', key, 'c:' .. code) == 1 then return { 'taken' } end
local expires = fmt(now + window)
redis.call('HSET', key, 'c:' .. code, ARGV[3], 's:' .. code, 'pending', 'e:' .. code, expires,
  'k:' .. code, message, 'm:' .. message, code)
redis.call('PEXPIRE', key, ARGV[7])
return { 'pending', code, ARGV[3], expires }
