--[[
  restate: sets the standing of a timed auction (price, leader, leader's maximum, bid count) — an
  admin cancelled a bid and the orchestrator recomputed the standing from the remaining ones —
  takes the next seq and records a 'restate' event in the decision stream. Any status (a closed
  auction's standing is fixed before finalisation); status and end are left alone. Idempotent by
  key. The standing is checked by the caller (standingProblem). Mirrors decideRestate in
  bidding/restore.ts and MemoryBiddingStore.restate.

  KEYS[1] auction state hash   KEYS[2] idempotency hash   KEYS[3] decision stream
  ARGV[1] idempotency key   ARGV[2] fingerprint (price/leader/leader_max/bid_count)
  ARGV[3] price   ARGV[4] leader ("" = none)   ARGV[5] leader max   ARGV[6] bid count
  ARGV[7] reason   ARGV[8] actor   ARGV[9] correlation id   ARGV[10] now in ms ("" = Redis TIME)

  Reply: flat array of field/value strings: seq outcome reason status ends_at asking reserve_met
  prev_price prev_leader prev_bid_count price leader bid_count at stream_id replayed
  (refused: seq 0, outcome rejected, reason UNKNOWN_AUCTION / NOT_TIMED / IDEMPOTENCY_KEY_REUSED)
]]
-- @include increment.lua
-- @include live.lua
-- @include state.lua

local idem_key, fingerprint = ARGV[1], ARGV[2]
-- Bid keys are "<bidder>\0<key>", floor keys "\0floor\0<key>": no collision.
local idem_field = '\0restate\0' .. idem_key

local answered = stored_answer(KEYS[2], idem_field, fingerprint, {})
if answered then return answered end

local st = read_state_hash(KEYS[1])
if st == nil then
  return { 'seq', '0', 'outcome', 'rejected', 'reason', 'UNKNOWN_AUCTION', 'replayed', '0' }
end
if st.mode ~= 'timed' then
  return { 'seq', '0', 'outcome', 'rejected', 'reason', 'NOT_TIMED', 'replayed', '0' }
end
local now = decision_time(ARGV[10])

local s = load_state(st)
s.seq = s.seq + 1
local prev_price, prev_leader, prev_bid_count = s.price, s.leader, s.bid_count
s.price = tonumber(ARGV[3])
s.leader = ARGV[4]
s.leader_max = tonumber(ARGV[5])
s.bid_count = tonumber(ARGV[6])
if s.bid_count > 0 then s.asking = s.price + increment_at(st.increments, s.price)
else s.asking = tonumber(st.opening) end
save_state(KEYS[1], s)

local reserve = tonumber(st.reserve)
local reserve_met = '0'
if reserve == 0 or (s.bid_count > 0 and s.price >= reserve) then reserve_met = '1' end
local stream_id = redis.call('XADD', KEYS[3], '*', 'type', 'restate', 'seq', fmt(s.seq),
  'prev_price', fmt(prev_price), 'prev_leader', prev_leader, 'prev_bid_count', fmt(prev_bid_count),
  'price', fmt(s.price), 'leader', s.leader, 'bid_count', fmt(s.bid_count), 'reason', ARGV[7],
  'actor', ARGV[8], 'at', fmt(now), 'idem', idem_key, 'corr', ARGV[9])

local reply = { 'seq', fmt(s.seq), 'outcome', 'accepted', 'reason', '', 'status', s.status,
  'ends_at', fmt(s.ends_at), 'asking', fmt(s.asking), 'reserve_met', reserve_met,
  'prev_price', fmt(prev_price), 'prev_leader', prev_leader, 'prev_bid_count', fmt(prev_bid_count),
  'price', fmt(s.price), 'leader', s.leader, 'bid_count', fmt(s.bid_count), 'at', fmt(now),
  'stream_id', stream_id }
redis.call('HSET', KEYS[2], idem_field, cjson.encode({ fingerprint = fingerprint, reply = reply }))
reply[#reply + 1] = 'replayed'
reply[#reply + 1] = '0'
return reply
