--[[
  place-bid: decides one bid atomically — status, time, eligibility and limit, increment,
  proxy maximums, ties (first decided wins), reserve lift, soft close, idempotency — and
  appends the decision to the auction's decision stream. Mirrors bidding/decide.ts.

  KEYS[1] auction state hash       KEYS[2] eligibility hash (bidder -> limit in minor units)
  KEYS[3] idempotency hash         KEYS[4] decision stream (hand-off to the ledger)
  KEYS[5] accepted-bid index: a stream of the accepted bids that took the lead, under their
          decisions' stream ids (the bid listing reads a page of it, not every decision before it)
  KEYS[6] this bidder's part of it: a list of those stream ids
  ARGV[1] bidder id   ARGV[2] amount (minor)   ARGV[3] max (minor, "" = none)
  ARGV[4] idempotency key   ARGV[5] source   ARGV[6] correlation id   ARGV[7] paddle ("" = none)
  ARGV[8] now in ms ("" = Redis TIME: the server clock decides; tests may pin it)
  ARGV[9] assurance (session, caller_id, confirmed): recorded with the decision

  Live lots: a bid with a max while the lot is scheduled records an absentee maximum (kind
  'absentee'); a standing absentee maximum answers later bids (see includes/live.lua).

  Reply: flat array of field/value strings: seq outcome reason kind amount price leader
  prev_price prev_leader price_changed bid_count ends_at extended asking reserve_met at stream_id replayed
]]
-- @include increment.lua
-- @include live.lua
-- @include state.lua

local bidder, amount, max_arg, idem_key = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local max = amount
if max_arg ~= '' and tonumber(max_arg) > amount then max = tonumber(max_arg) end
local fingerprint = ARGV[2] .. '/' .. max_arg
local idem_field = bidder .. '\0' .. idem_key

local answered = stored_answer(KEYS[3], idem_field, fingerprint, {})
if answered then return answered end

local st = read_state_hash(KEYS[1])
if st == nil then
  return { 'seq', '0', 'outcome', 'rejected', 'reason', 'UNKNOWN_AUCTION', 'replayed', '0' }
end
local now = decision_time(ARGV[8])

local mode = st.mode
local bands = st.increments
local reserve = tonumber(st.reserve)
local s = load_state(st)
s.seq = s.seq + 1
local prev_price, prev_leader, prev_end = s.price, s.leader, s.ends_at
-- A maximum left on a live lot before it opens is an absentee bid, executed by `open`.
local absentee = mode == 'live' and s.status == 'scheduled' and max_arg ~= ''
local reason = nil
local kind = nil

if s.status == 'on_hold' then reason = 'ON_HOLD'
elseif s.status == 'scheduled' and not absentee then reason = 'NOT_STARTED'
elseif s.status ~= 'scheduled' and s.status ~= 'open' and s.status ~= 'fair_warning' then reason = 'CLOSED'
elseif not absentee and now < tonumber(st.starts_at) then reason = 'NOT_STARTED'
elseif mode == 'timed' and now > s.ends_at + tonumber(st.grace_ms) then reason = 'CLOSED'
else
  local limit = redis.call('HGET', KEYS[2], bidder)
  if not limit then reason = 'NOT_ELIGIBLE'
  elseif max > tonumber(limit) then reason = 'OVER_LIMIT'
  end
end

if reason == nil and absentee then
  reason = record_absentee(s, bidder, max, s.seq)
  if reason == nil then kind = 'absentee' end
elseif reason == nil and mode == 'live' then
  reason = live_bid(st, s, bidder, 'bid', amount)
  if reason == nil then kind = 'bid' end
elseif reason == nil then
  local minimum = tonumber(st.opening)
  if s.bid_count > 0 then minimum = s.price + increment_at(bands, s.price) end
  if s.bid_count > 0 and bidder == s.leader then
    if max > s.leader_max then
      kind = 'max_raised'
      s.leader_max = max
    else
      reason = 'ALREADY_LEADING'
    end
  elseif s.bid_count > 0 and amount <= s.price then reason = 'OUTBID'
  elseif amount < minimum then reason = 'TOO_LOW'
  elseif s.bid_count == 0 then
    kind = 'bid'
    s.price = amount
    s.leader = bidder
    s.leader_max = max
  elseif max > s.leader_max then
    kind = 'bid'
    s.price = math.max(amount, math.min(max, s.leader_max + increment_at(bands, s.leader_max)))
    s.leader = bidder
    s.leader_max = max
  else
    reason = 'OUTBID'
    if max == s.leader_max then s.price = s.leader_max
    else s.price = math.min(s.leader_max, max + increment_at(bands, max)) end
  end
  if reserve > 0 and s.price < reserve and s.leader_max >= reserve and (kind ~= nil or s.price ~= prev_price) then
    s.price = reserve
  end
end

local changed = (s.price ~= prev_price) or (s.leader ~= prev_leader)
-- Live lots count their bids in live_bid (a standing bid each).
if changed and mode == 'timed' then
  s.bid_count = s.bid_count + 1
  s.asking = s.price + increment_at(bands, s.price)
  local soft = tonumber(st.soft_close_ms)
  if soft > 0 and s.ends_at - now < soft then
    local new_end = s.ends_at + soft
    local cap = tonumber(st.soft_close_cap_ms)
    if cap > 0 then new_end = math.min(new_end, tonumber(st.scheduled_end) + cap) end
    if new_end > s.ends_at then s.ends_at = new_end end
  end
end
-- A bid that changed the lot ends the undo of the floor action before it (undo would erase the bid).
if mode == 'live' and (changed or kind ~= nil) then s.undo = '' end

local outcome = 'rejected'
if kind ~= nil then outcome = 'accepted' end
save_state(KEYS[1], s)

local changed_s = '0'
if changed then changed_s = '1' end
local extended_s = '0'
if s.ends_at > prev_end then extended_s = '1' end
local reserve_met = '0'
if reserve == 0 or (s.bid_count > 0 and s.price >= reserve) then reserve_met = '1' end
local stream_id = redis.call('XADD', KEYS[4], '*', 'type', 'bid',
  'seq', fmt(s.seq), 'bidder', bidder, 'outcome', outcome, 'reason', reason or '', 'kind', kind or '',
  'amount', fmt(amount), 'max', max_arg, 'price', fmt(s.price), 'leader', s.leader, 'prev_price', fmt(prev_price),
  'prev_leader', prev_leader, 'price_changed', changed_s, 'bid_count', fmt(s.bid_count), 'ends_at', fmt(s.ends_at),
  'extended', extended_s, 'asking', fmt(s.asking), 'reserve_met', reserve_met, 'at', fmt(now), 'source', ARGV[5],
  'idem', idem_key, 'corr', ARGV[6], 'paddle', ARGV[7], 'assurance', ARGV[9])

if kind == 'bid' then
  -- Under the decision's own id, so a listing cursor is a decision stream id; the bidder's part is
  -- a list of those ids (cheaper to append than a stream per bidder, and read by binary search).
  -- The ids only grow (the indexes live and die with the auction's keys); pcall, so a tampered
  -- index can never leave a decided bid without its stored answer.
  local ok = redis.pcall('XADD', KEYS[5], stream_id, 'seq', fmt(s.seq), 'bidder', bidder,
    'amount', fmt(amount), 'price', fmt(s.price), 'source', ARGV[5], 'at', fmt(now))
  if type(ok) == 'table' and ok.err then
    redis.log(redis.LOG_WARNING, 'gavel place-bid: accepted-bid index ' .. KEYS[5] .. ': ' .. ok.err)
  else
    redis.call('RPUSH', KEYS[6], stream_id)
  end
end

local reply = { 'seq', fmt(s.seq), 'outcome', outcome, 'reason', reason or '', 'kind', kind or '',
  'amount', fmt(amount), 'price', fmt(s.price), 'leader', s.leader, 'prev_price', fmt(prev_price),
  'prev_leader', prev_leader, 'price_changed', changed_s, 'bid_count', fmt(s.bid_count),
  'ends_at', fmt(s.ends_at), 'extended', extended_s, 'asking', fmt(s.asking), 'reserve_met', reserve_met,
  'at', fmt(now), 'stream_id', stream_id }
redis.call('HSET', KEYS[3], idem_field, cjson.encode({ fingerprint = fingerprint, reply = reply }))
reply[#reply + 1] = 'replayed'
reply[#reply + 1] = '0'
return reply
