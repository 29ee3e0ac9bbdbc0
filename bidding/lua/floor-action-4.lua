--[[
  floor-action: decides one action of the floor clerk on a live lot atomically, with the bids —
  open (executing absentee maximums), asking and increment, floor bids and overrules, rejecting
  the standing bid, fair warning, hold, hammer, pass, withdraw, undo — and appends it to the
  auction's decision stream as its own event (type 'floor'). Mirrors bidding/floor.ts.
  A refused action changes nothing but takes a seq and is recorded.

  KEYS[1] auction state hash       KEYS[2] eligibility hash (unused: floor paddles are the clerk's)
  KEYS[3] idempotency hash         KEYS[4] decision stream (hand-off to the ledger)
  ARGV[1] action   ARGV[2] amount: asking / amount / step / seq ("" = none, "x" = not an integer)
  ARGV[3] text: paddle or hold message   ARGV[4] idempotency key   ARGV[5] correlation id
  ARGV[6] now in ms ("" = Redis TIME)

  Reply: flat array of field/value strings: seq action outcome reason status prev_status price
  prev_price leader prev_leader leader_kind price_changed asking step bid_count standing_seq message
  reserve_met undone_action undone_seq at stream_id replayed
]]
-- @include increment.lua
-- @include live.lua
-- @include state.lua

local action, amount_arg, text, idem_key = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local fingerprint = action .. '/' .. amount_arg .. '/' .. text
-- Bid keys are "<bidder>\0<key>": a floor key cannot collide with a (non-empty) bidder's.
local idem_field = '\0floor\0' .. idem_key

local answered = stored_answer(KEYS[3], idem_field, fingerprint, { 'action', action })
if answered then return answered end

local st = read_state_hash(KEYS[1])
if st == nil then
  return { 'seq', '0', 'action', action, 'outcome', 'rejected', 'reason', 'UNKNOWN_AUCTION', 'replayed', '0' }
end
local now = decision_time(ARGV[6])

-- Statuses each action may start from, space-delimited; 'any' = every status.
local ALLOWED = {
  open = ' scheduled ',
  set_asking = ' scheduled open fair_warning ',
  set_increment = ' scheduled open fair_warning ',
  floor_bid = ' open fair_warning ',
  overrule = ' open fair_warning ',
  reject_bid = ' open fair_warning on_hold ',
  fair_warning = ' open ',
  resume = ' fair_warning ',
  hold = ' scheduled open fair_warning ',
  resume_from_hold = ' on_hold ',
  hammer = ' open fair_warning ',
  pass = ' open fair_warning ',
  withdraw = ' scheduled open fair_warning on_hold ',
  undo = 'any',
  superseded = 'any',
}
local FINAL = ' closed sold passed unsold withdrawn cancelled '

local function has(set, status)
  return string.find(set, ' ' .. status .. ' ', 1, true) ~= nil
end

local function gate(status)
  local allowed = ALLOWED[action]
  if allowed == 'any' or has(allowed, status) then return nil end
  if has(FINAL, status) then return 'CLOSED' end
  if status == 'on_hold' then return 'ON_HOLD' end
  if status == 'scheduled' then return 'NOT_STARTED' end
  return 'INVALID_TRANSITION'
end

-- A non-negative integer argument, or nil.
local function int_arg(v)
  if string.match(v, '^%d+$') then return tonumber(v) end
  return nil
end

local function well_formed(n)
  if action == 'open' then return amount_arg == '' or (n ~= nil and n >= 1) end
  if action == 'set_asking' then return n ~= nil and n >= 1 end
  if action == 'set_increment' then return n ~= nil end
  if action == 'floor_bid' then return text ~= '' and n ~= nil and n >= 1 end
  if action == 'overrule' then return text ~= '' end
  if action == 'reject_bid' then return n ~= nil and n >= 1 end
  return ALLOWED[action] ~= nil
end

local function undo_point(s)
  return cjson.encode({
    action = action, seq = fmt(s.seq), status = s.status, message = s.message, held_from = s.held_from,
    price = fmt(s.price), leader = s.leader, leader_max = fmt(s.leader_max), leader_kind = s.leader_kind,
    bid_count = fmt(s.bid_count), asking = fmt(s.asking), step = fmt(s.step), standing_seq = fmt(s.standing_seq),
    absentees = encode_list(s.absentees), standing = encode_list(s.standing),
  })
end

-- On open: the best absentee takes the lot at the asking price, or one step above the second-best
-- maximum when higher, never above its own (equal maximums: the earlier, which sorts first).
local function execute_absentees(s)
  local top, second = s.absentees[1], s.absentees[2]
  s.absentees = {}
  if top == nil or tonumber(top.max) < s.asking then return end
  push_standing(s)
  local price = s.asking
  if second ~= nil then
    local second_max = tonumber(second.max)
    price = math.max(price, math.min(tonumber(top.max), second_max + live_step(st, s, second_max)))
  end
  s.price = price
  s.leader = top.bidder
  s.leader_max = tonumber(top.max)
  s.leader_kind = 'absentee'
  s.asking = price + live_step(st, s, price)
  s.bid_count = s.bid_count + 1
  s.standing_seq = s.seq
end

local reserve = tonumber(st.reserve)
local n = int_arg(amount_arg)
local s = load_state(st)
s.seq = s.seq + 1
local prev_status, prev_price, prev_leader = s.status, s.price, s.leader
local before = undo_point(s)
local reason = nil
local undone_action, undone_seq = '', ''

if st.mode ~= 'live' then reason = 'NOT_LIVE'
elseif not well_formed(n) then reason = 'INVALID_REQUEST'
else reason = gate(s.status) end

if reason == nil then
  -- No asking price, increment or floor bid may lead past the largest amount a bid may have.
  if action == 'open' and n ~= nil and n > MAX_AMOUNT then reason = 'TOO_HIGH'
  elseif action == 'open' then
    s.status = 'open'
    if n ~= nil then s.asking = n end
    execute_absentees(s)
  elseif action == 'set_asking' then
    if s.bid_count > 0 and n <= s.price then reason = 'TOO_LOW'
    elseif n > MAX_AMOUNT then reason = 'TOO_HIGH'
    else s.asking = n end
  elseif action == 'set_increment' then
    -- The next asking price would be the standing bid (or, before the first bid, the asking price) plus the step.
    local base = s.asking
    if s.bid_count > 0 then base = s.price end
    if base + n > MAX_AMOUNT then reason = 'TOO_HIGH'
    else
      s.step = n
      if s.bid_count > 0 then s.asking = s.price + live_step(st, s, s.price) end
    end
  elseif action == 'floor_bid' then
    if n > MAX_AMOUNT then reason = 'TOO_HIGH'
    else reason = live_bid(st, s, 'paddle:' .. text, 'floor', n) end
  elseif action == 'overrule' then
    if s.leader_kind ~= 'bid' then reason = 'NOTHING_TO_OVERRULE'
    else
      -- The floor bid replaces the internet bid at the same amount: rejecting it goes back past both.
      s.leader = 'paddle:' .. text
      s.leader_kind = 'floor'
      s.leader_max = s.price
      s.standing_seq = s.seq
      s.bid_count = s.bid_count + 1
      s.status = 'open'
    end
  elseif action == 'reject_bid' then
    if s.leader == '' or #s.standing == 0 then reason = 'NOTHING_TO_REJECT'
    elseif n ~= s.standing_seq then reason = 'NOT_LATEST_BID'
    else pop_standing(s) end
  elseif action == 'fair_warning' then
    s.status = 'fair_warning'
  elseif action == 'resume' then
    s.status = 'open'
  elseif action == 'hold' then
    s.held_from = s.status
    s.status = 'on_hold'
    s.message = text
  elseif action == 'resume_from_hold' then
    if s.held_from ~= '' then s.status = s.held_from else s.status = 'open' end
    s.held_from = ''
    s.message = ''
  elseif action == 'hammer' then
    if s.leader ~= '' and (reserve == 0 or s.price >= reserve) then s.status = 'sold'
    else s.status = 'unsold' end
  elseif action == 'pass' then
    s.status = 'passed'
  elseif action == 'withdraw' then
    s.status = 'withdrawn'
  elseif action == 'undo' then
    if s.undo_closed == '1' then reason = 'UNDO_WINDOW_CLOSED'
    elseif s.undo == '' then reason = 'NOTHING_TO_UNDO'
    else
      local u = cjson.decode(s.undo)
      s.status = u.status
      s.message = u.message
      s.held_from = u.held_from
      s.price = tonumber(u.price)
      s.leader = u.leader
      s.leader_max = tonumber(u.leader_max)
      s.leader_kind = u.leader_kind
      s.bid_count = tonumber(u.bid_count)
      s.asking = tonumber(u.asking)
      s.step = tonumber(u.step)
      s.standing_seq = tonumber(u.standing_seq)
      s.absentees = decode_list(u.absentees)
      s.standing = decode_list(u.standing)
      undone_action, undone_seq = u.action, u.seq
      s.undo = ''
    end
  elseif action == 'superseded' then
    s.undo = ''
    s.undo_closed = '1'
  end
end

local changed = (s.price ~= prev_price) or (s.leader ~= prev_leader)
-- Whatever changed the lot can be undone (a floor bid answered by an absentee is refused but moves the price).
if (reason == nil or changed) and action ~= 'undo' and action ~= 'superseded' then
  s.undo = before
  s.undo_closed = '0'
end
save_state(KEYS[1], s)

local outcome = 'rejected'
if reason == nil then outcome = 'accepted' end
local changed_s = '0'
if changed then changed_s = '1' end
local reserve_met = '0'
if reserve == 0 or (s.bid_count > 0 and s.price >= reserve) then reserve_met = '1' end
local fields = { 'seq', fmt(s.seq), 'action', action, 'outcome', outcome, 'reason', reason or '',
  'status', s.status, 'prev_status', prev_status, 'price', fmt(s.price), 'prev_price', fmt(prev_price),
  'leader', s.leader, 'prev_leader', prev_leader, 'leader_kind', s.leader_kind, 'price_changed', changed_s,
  'asking', fmt(s.asking), 'step', fmt(s.step), 'bid_count', fmt(s.bid_count), 'standing_seq', fmt(s.standing_seq),
  'message', s.message, 'reserve_met', reserve_met, 'undone_action', undone_action, 'undone_seq', undone_seq,
  'at', fmt(now) }
local stream_id = redis.call('XADD', KEYS[4], '*', 'type', 'floor', 'arg_amount', amount_arg, 'arg_text', text,
  'idem', idem_key, 'corr', ARGV[5], unpack(fields))

local reply = fields
reply[#reply + 1] = 'stream_id'
reply[#reply + 1] = stream_id
redis.call('HSET', KEYS[3], idem_field, cjson.encode({ fingerprint = fingerprint, reply = reply }))
reply[#reply + 1] = 'replayed'
reply[#reply + 1] = '0'
return reply
