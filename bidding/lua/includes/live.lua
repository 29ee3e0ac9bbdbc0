-- Shared (needs increment.lua): an auction's mutable state as a table, loaded from the state hash
-- and saved back with one HSET, and the live-lot rules shared by place-bid and floor-action.
-- Mirrors LiveState and liveStep … recordAbsentee in bidding/decide.ts.
-- Lists (absentees, standing bids) are JSON arrays of objects with string values: cjson prints
-- numbers with 14 significant digits, strings keep every digit.

local function decode_list(json)
  if json == nil or json == '' then return {} end
  return cjson.decode(json)
end

local function encode_list(list)
  if #list == 0 then return '[]' end
  return cjson.encode(list)
end

-- st: the state hash as a field -> value table
local function load_state(st)
  return {
    status = st.status,
    ends_at = tonumber(st.ends_at),
    price = tonumber(st.price),
    leader = st.leader,
    leader_max = tonumber(st.leader_max),
    bid_count = tonumber(st.bid_count),
    seq = tonumber(st.seq),
    asking = tonumber(st.asking),
    message = st.message or '',
    held_from = st.held_from or '',
    step = tonumber(st.step or '0'),
    leader_kind = st.leader_kind or '',
    standing_seq = tonumber(st.standing_seq or '0'),
    absentees = decode_list(st.absentees),
    standing = decode_list(st.standing),
    undo = st.undo or '',
    undo_closed = st.undo_closed or '0',
  }
end

local function save_state(key, s)
  redis.call('HSET', key, 'status', s.status, 'ends_at', fmt(s.ends_at), 'price', fmt(s.price),
    'leader', s.leader, 'leader_max', fmt(s.leader_max), 'bid_count', fmt(s.bid_count), 'seq', fmt(s.seq),
    'asking', fmt(s.asking), 'message', s.message, 'held_from', s.held_from, 'step', fmt(s.step),
    'leader_kind', s.leader_kind, 'standing_seq', fmt(s.standing_seq), 'absentees', encode_list(s.absentees),
    'standing', encode_list(s.standing), 'undo', s.undo, 'undo_closed', s.undo_closed)
end

-- The asking-price step at `price` on a live lot: the clerk's increment, or the table.
local function live_step(st, s, price)
  if s.step > 0 then return s.step end
  return increment_at(st.increments, price)
end

local function push_standing(s)
  s.standing[#s.standing + 1] = {
    price = fmt(s.price), leader = s.leader, leader_max = fmt(s.leader_max), leader_kind = s.leader_kind,
    asking = fmt(s.asking), bid_count = fmt(s.bid_count), standing_seq = fmt(s.standing_seq),
  }
end

local function pop_standing(s)
  local e = table.remove(s.standing)
  s.price = tonumber(e.price)
  s.leader = e.leader
  s.leader_max = tonumber(e.leader_max)
  s.leader_kind = e.leader_kind
  s.asking = tonumber(e.asking)
  s.bid_count = tonumber(e.bid_count)
  s.standing_seq = tonumber(e.standing_seq)
end

-- A bid at the asking price on a live lot (kind 'bid' = internet, 'floor'), decided at seq s.seq.
-- Returns a reject reason or nil. A standing absentee maximum answers one step up, as far as it goes.
local function live_bid(st, s, bidder, kind, amount)
  if bidder == s.leader then return 'ALREADY_LEADING' end
  if s.bid_count > 0 and amount <= s.price then return 'OUTBID' end
  if amount < s.asking then return 'TOO_LOW' end
  push_standing(s)
  s.standing_seq = s.seq
  s.status = 'open'
  s.bid_count = s.bid_count + 1
  if s.leader_kind == 'absentee' and s.leader_max >= amount then
    s.price = math.min(s.leader_max, amount + live_step(st, s, amount))
    s.asking = s.price + live_step(st, s, s.price)
    return 'OUTBID'
  end
  s.price = amount
  s.leader = bidder
  s.leader_max = amount
  s.leader_kind = kind
  s.asking = amount + live_step(st, s, amount)
  return nil
end

-- Keeps an absentee maximum if it is among the best two (highest first, earlier first on ties);
-- a bidder may only raise their own.
local function record_absentee(s, bidder, max, seq)
  if max < s.asking then return 'TOO_LOW' end
  local list = {}
  for _, a in ipairs(s.absentees) do
    if a.bidder == bidder then
      if max <= tonumber(a.max) then return 'TOO_LOW' end
    else
      list[#list + 1] = a
    end
  end
  local pos = #list + 1
  for i, a in ipairs(list) do
    if max > tonumber(a.max) then
      pos = i
      break
    end
  end
  table.insert(list, pos, { bidder = bidder, max = fmt(max), seq = fmt(seq) })
  while #list > 2 do table.remove(list) end
  s.absentees = list
  return nil
end
