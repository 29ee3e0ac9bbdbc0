--[[
  confirm-reply: a "YES <code>" from the sender's number. The code of a bid waiting on this number,
  in time, confirms it (once: a repeat finds it confirmed); a code it does not have counts as a
  wrong one, and too many of them cancel the number's waiting bids and lock it for a while.
  Mirrors MemoryBidConfirmations.reply (../confirmations.ts).

  KEYS[1] the sender's number's hash (see confirm-request-1.lua)
  ARGV[1] code   ARGV[2] max wrong codes   ARGV[3] lock ms (how long wrong codes count, and a lock lasts)
  ARGV[4] keep ms (the hash's time to live)   ARGV[5] now in ms ("" = Redis TIME)

  Reply: { 'confirmed', repeat ('1'|'0'), request, expires_at } | { 'wrong_code', attempts left }
    | { 'expired' } | { 'none' } (nothing waits on this number) | { 'locked' }
]]
-- @include confirm.lua

local key, code = KEYS[1], ARGV[1]
local max_failures, lock_ms = tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms(ARGV[5])

local failures = tonumber(redis.call('HGET', key, 'f') or '0')
local counted_until = tonumber(redis.call('HGET', key, 'fu') or '0')
if failures >= max_failures and now < counted_until then return { 'locked' } end

local state = redis.call('HGET', key, 's:' .. code)
if not state then
  local h = read_hash(key)
  local waiting = {}
  for f, v in pairs(h) do
    if string.sub(f, 1, 2) == 's:' and v == 'pending' and tonumber(h['e:' .. string.sub(f, 3)]) >= now then
      waiting[#waiting + 1] = string.sub(f, 3)
    end
  end
  if #waiting == 0 then return { 'none' } end
  if now >= counted_until then
    failures = 0
    counted_until = now + lock_ms
  end
  failures = failures + 1
  redis.call('HSET', key, 'f', fmt(failures), 'fu', fmt(counted_until))
  redis.call('PEXPIRE', key, ARGV[4])
  if failures < max_failures then return { 'wrong_code', fmt(max_failures - failures) } end
  for _, c in ipairs(waiting) do redis.call('HSET', key, 's:' .. c, 'expired') end
  return { 'locked' }
end

local request, expires = redis.call('HGET', key, 'c:' .. code), redis.call('HGET', key, 'e:' .. code)
if state == 'confirmed' then return { 'confirmed', '1', request, expires } end
if state == 'pending' and now <= tonumber(expires) then
  redis.call('HSET', key, 's:' .. code, 'confirmed')
  redis.call('HDEL', key, 'f', 'fu')
  return { 'confirmed', '0', request, expires }
end
redis.call('HSET', key, 's:' .. code, 'expired')
return { 'expired' }
