--[[
  restore: re-creates an auction's state after the engine lost it (Redis restarted without
  persistence, FLUSHALL), from what the orchestrator's ledger tells: set-up, standing, last seq,
  eligibility and the bid answers a retried idempotency key must get again. Mirrors
  MemoryBiddingStore.restore (the state itself is built by restoredLiveState in bidding/restore.ts).
  Refused when the state exists, unless forced, so two recoveries racing cannot clobber live bidding.
  Appends nothing to the decision stream and never deletes it (it is the ledger's hand-off).

  KEYS[1] auction state hash       KEYS[2] eligibility hash (bidder -> limit in minor units)
  KEYS[3] idempotency hash         KEYS[4] decision stream
  ARGV[1] force ("1" = replace existing state)
  ARGV[2] stream id the stream's last id is raised to ("" = leave it): later entries sort after it
  ARGV[3] n, then ARGV[4 .. 3+n]: state hash field/value pairs (set-up and live fields)
  then m and m eligibility bidder/limit pairs, then k and k idempotency field/answer pairs
  (field "<bidder>\0<key>", answer as place-bid stores it: {"fingerprint":…,"reply":[…]})

  Reply: { 'restored', '1' } or { 'restored', '0', 'reason', 'EXISTS', 'seq', <the existing state's seq> }
]]

if ARGV[1] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then
  return { 'restored', '0', 'reason', 'EXISTS', 'seq', redis.call('HGET', KEYS[1], 'seq') or '0' }
end
-- Whatever is left of the old state goes; the stream stays.
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])

local pos = 3
-- HSETs the next section of ARGV into `key`, in chunks (unpack has a stack limit).
local function hset_section(key)
  local n = tonumber(ARGV[pos])
  local first = pos + 1
  pos = pos + n + 1
  local chunk = {}
  for i = first, first + n - 1 do
    chunk[#chunk + 1] = ARGV[i]
    if #chunk == 1000 then
      redis.call('HSET', key, unpack(chunk))
      chunk = {}
    end
  end
  if #chunk > 0 then redis.call('HSET', key, unpack(chunk)) end
end
hset_section(KEYS[1])
hset_section(KEYS[2])
hset_section(KEYS[3])

-- "<ms>-<n>" ordering.
local function id_less(a, b)
  local am, an = string.match(a, '^(%d+)-(%d+)$')
  local bm, bn = string.match(b, '^(%d+)-(%d+)$')
  am, an, bm, bn = tonumber(am), tonumber(an), tonumber(bm), tonumber(bn)
  return am < bm or (am == bm and an < bn)
end

local after = ARGV[2]
if after ~= '' then
  if redis.call('EXISTS', KEYS[4]) == 0 then
    -- An empty stream (no entry appended): the only way to hold a last id without an entry.
    redis.call('XGROUP', 'CREATE', KEYS[4], 'gavel-restore', '$', 'MKSTREAM')
    redis.call('XGROUP', 'DESTROY', KEYS[4], 'gavel-restore')
  end
  local info = redis.call('XINFO', 'STREAM', KEYS[4])
  local last = '0-0'
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = info[i + 1] end
  end
  if id_less(last, after) then redis.call('XSETID', KEYS[4], after) end
end
return { 'restored', '1' }
