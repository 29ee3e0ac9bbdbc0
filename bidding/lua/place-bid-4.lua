--[[
  place-bid: decides one bid atomically — status, time, eligibility and limit, increment,
  proxy maximums, ties (first decided wins), reserve lift, soft close, idempotency — and
  appends the decision to the auction's decision stream. Mirrors bidding/decide.ts.

  KEYS[1] auction state hash       KEYS[2] eligibility hash (bidder -> limit in minor units)
  KEYS[3] idempotency hash         KEYS[4] decision stream (hand-off to the ledger)
  ARGV[1] bidder id   ARGV[2] amount (minor)   ARGV[3] max (minor, "" = none)
  ARGV[4] idempotency key   ARGV[5] source   ARGV[6] correlation id   ARGV[7] paddle ("" = none)
  ARGV[8] now in ms ("" = Redis TIME: the server clock decides; tests may pin it)

  Reply: flat array of field/value strings: seq outcome reason kind amount price leader
  prev_price prev_leader price_changed bid_count ends_at extended asking reserve_met at stream_id replayed
]]
-- @include increment.lua

local bidder, amount, max_arg, idem_key = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local max = amount
if max_arg ~= '' and tonumber(max_arg) > amount then max = tonumber(max_arg) end
local fingerprint = ARGV[2] .. '/' .. max_arg
local idem_field = bidder .. '\0' .. idem_key

local prior = redis.call('HGET', KEYS[3], idem_field)
if prior then
  local stored = cjson.decode(prior)
  if stored.fingerprint ~= fingerprint then
    return { 'seq', '0', 'outcome', 'rejected', 'reason', 'IDEMPOTENCY_KEY_REUSED', 'replayed', '1' }
  end
  local reply = stored.reply
  reply[#reply + 1] = 'replayed'
  reply[#reply + 1] = '1'
  return reply
end

local raw = redis.call('HGETALL', KEYS[1])
if #raw == 0 then
  return { 'seq', '0', 'outcome', 'rejected', 'reason', 'UNKNOWN_AUCTION', 'replayed', '0' }
end
local st = {}
for i = 1, #raw, 2 do st[raw[i]] = raw[i + 1] end

local now
if ARGV[8] ~= '' then
  now = tonumber(ARGV[8])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local mode = st.mode
local bands = st.increments
local status = st.status
local seq = tonumber(st.seq) + 1
local price = tonumber(st.price)
local leader = st.leader
local leader_max = tonumber(st.leader_max)
local bid_count = tonumber(st.bid_count)
local ends_at = tonumber(st.ends_at)
local asking = tonumber(st.asking)
local reserve = tonumber(st.reserve)
local prev_price, prev_leader, prev_end = price, leader, ends_at
local reason = nil
local kind = nil

if status == 'on_hold' then reason = 'ON_HOLD'
elseif status == 'scheduled' then reason = 'NOT_STARTED'
elseif status ~= 'open' and status ~= 'fair_warning' then reason = 'CLOSED'
elseif now < tonumber(st.starts_at) then reason = 'NOT_STARTED'
elseif mode == 'timed' and now > ends_at + tonumber(st.grace_ms) then reason = 'CLOSED'
else
  local limit = redis.call('HGET', KEYS[2], bidder)
  if not limit then reason = 'NOT_ELIGIBLE'
  elseif max > tonumber(limit) then reason = 'OVER_LIMIT'
  end
end

if reason == nil and mode == 'live' then
  if bidder == leader then reason = 'ALREADY_LEADING'
  elseif bid_count > 0 and amount <= price then reason = 'OUTBID'
  elseif amount < asking then reason = 'TOO_LOW'
  else
    kind = 'bid'
    price = amount
    leader = bidder
    leader_max = amount
    asking = amount + increment_at(bands, amount)
    status = 'open'
  end
elseif reason == nil then
  local minimum = tonumber(st.opening)
  if bid_count > 0 then minimum = price + increment_at(bands, price) end
  if bid_count > 0 and bidder == leader then
    if max > leader_max then
      kind = 'max_raised'
      leader_max = max
    else
      reason = 'ALREADY_LEADING'
    end
  elseif bid_count > 0 and amount <= price then reason = 'OUTBID'
  elseif amount < minimum then reason = 'TOO_LOW'
  elseif bid_count == 0 then
    kind = 'bid'
    price = amount
    leader = bidder
    leader_max = max
  elseif max > leader_max then
    kind = 'bid'
    price = math.max(amount, math.min(max, leader_max + increment_at(bands, leader_max)))
    leader = bidder
    leader_max = max
  else
    reason = 'OUTBID'
    if max == leader_max then price = leader_max
    else price = math.min(leader_max, max + increment_at(bands, max)) end
  end
  if reserve > 0 and price < reserve and leader_max >= reserve and (kind ~= nil or price ~= prev_price) then
    price = reserve
  end
end

local changed = (price ~= prev_price) or (leader ~= prev_leader)
if changed then
  bid_count = bid_count + 1
  if mode == 'timed' then
    asking = price + increment_at(bands, price)
    local soft = tonumber(st.soft_close_ms)
    if soft > 0 and ends_at - now < soft then
      local new_end = ends_at + soft
      local cap = tonumber(st.soft_close_cap_ms)
      if cap > 0 then new_end = math.min(new_end, tonumber(st.scheduled_end) + cap) end
      if new_end > ends_at then ends_at = new_end end
    end
  end
end

local outcome = 'rejected'
if kind ~= nil then outcome = 'accepted' end
redis.call('HSET', KEYS[1], 'seq', fmt(seq), 'price', fmt(price), 'leader', leader, 'leader_max', fmt(leader_max),
  'bid_count', fmt(bid_count), 'ends_at', fmt(ends_at), 'asking', fmt(asking), 'status', status)

local changed_s = '0'
if changed then changed_s = '1' end
local extended_s = '0'
if ends_at > prev_end then extended_s = '1' end
local reserve_met = '0'
if reserve == 0 or (bid_count > 0 and price >= reserve) then reserve_met = '1' end
local stream_id = redis.call('XADD', KEYS[4], '*',
  'seq', fmt(seq), 'bidder', bidder, 'outcome', outcome, 'reason', reason or '', 'kind', kind or '',
  'amount', fmt(amount), 'max', max_arg, 'price', fmt(price), 'leader', leader, 'prev_price', fmt(prev_price),
  'prev_leader', prev_leader, 'price_changed', changed_s, 'bid_count', fmt(bid_count), 'ends_at', fmt(ends_at),
  'extended', extended_s, 'asking', fmt(asking), 'reserve_met', reserve_met, 'at', fmt(now), 'source', ARGV[5], 'idem', idem_key,
  'corr', ARGV[6], 'paddle', ARGV[7])

local reply = { 'seq', fmt(seq), 'outcome', outcome, 'reason', reason or '', 'kind', kind or '',
  'amount', fmt(amount), 'price', fmt(price), 'leader', leader, 'prev_price', fmt(prev_price),
  'prev_leader', prev_leader, 'price_changed', changed_s, 'bid_count', fmt(bid_count),
  'ends_at', fmt(ends_at), 'extended', extended_s, 'asking', fmt(asking), 'reserve_met', reserve_met,
  'at', fmt(now), 'stream_id', stream_id }
redis.call('HSET', KEYS[3], idem_field, cjson.encode({ fingerprint = fingerprint, reply = reply }))
reply[#reply + 1] = 'replayed'
reply[#reply + 1] = '0'
return reply
