-- Shared: an auction's state hash as a table (nil when the auction is unknown), the decision
-- clock — Redis TIME in milliseconds, unless a test pinned it — and the stored answer of an
-- idempotency key.
local function read_state_hash(key)
  local raw = redis.call('HGETALL', key)
  if #raw == 0 then return nil end
  local st = {}
  for i = 1, #raw, 2 do st[raw[i]] = raw[i + 1] end
  return st
end

local function decision_time(pinned)
  if pinned ~= '' then return tonumber(pinned) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The answer already given for an idempotency key: the stored reply again, marked replayed; a
-- refusal when the key comes back with other arguments (`head`: fields the refusal starts with
-- after the seq, e.g. the floor action's name); nil when the key is new.
local function stored_answer(hash, field, fingerprint, head)
  local prior = redis.call('HGET', hash, field)
  if not prior then return nil end
  local stored = cjson.decode(prior)
  if stored.fingerprint ~= fingerprint then
    local refusal = { 'seq', '0' }
    for _, v in ipairs(head) do refusal[#refusal + 1] = v end
    for _, v in ipairs({ 'outcome', 'rejected', 'reason', 'IDEMPOTENCY_KEY_REUSED', 'replayed', '1' }) do
      refusal[#refusal + 1] = v
    end
    return refusal
  end
  local reply = stored.reply
  reply[#reply + 1] = 'replayed'
  reply[#reply + 1] = '1'
  return reply
end
