--[[
  Appends one update to the hub's stream, at most once per update id while that id is in history.
  KEYS[1] the update stream
  KEYS[2] the append counter: entries ever appended, so an entry's distance from the newest is
          (counter - its seq), without scanning the stream
  KEYS[3] the id index key of this update id: "<entryId> <seq>", expiring with the history age
  KEYS[4] the history limits the hubs on this stream keep (hash: size, max_age_ms, keep), written
          by every hub at start and on its heartbeat, so a back-end publisher appending straight
          to the stream (RedisStreamPublisher) applies the same limits without being told them
  ARGV[1] update id          ARGV[2] topics (JSON array)   ARGV[3] data
  ARGV[4] private ("1"/"0")  ARGV[5] type ("" = none)       ARGV[6] retry ("" = none)
  ARGV[7] history size: the newest this many entries are history (replayable); "" = from KEYS[4]
  ARGV[8] history max age in ms; "" = from KEYS[4]
  ARGV[9] entries kept in the stream (>= ARGV[7]: the stream is also the delivery bus); "" = from KEYS[4]
  Reply: { 0, entryId, previousEntryId } when appended, { 1, entryId } when the id is already in history;
  error NOHUB when ARGV[7..9] are "" and no hub has recorded its limits.
]]
if ARGV[7] == '' then
  local limits = redis.call('HMGET', KEYS[4], 'size', 'max_age_ms', 'keep')
  if not limits[1] or not limits[2] or not limits[3] then
    return redis.error_reply('NOHUB no hub has recorded its history limits under this prefix: start a hub on this Redis transport first')
  end
  ARGV[7], ARGV[8], ARGV[9] = limits[1], limits[2], limits[3]
end
local size = tonumber(ARGV[7])
local now = redis.call('TIME')
local oldest = math.max(0, tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[8]))

local existing = redis.call('GET', KEYS[3])
if existing then
  local entry, seq = string.match(existing, '^(%S+) (%d+)$')
  if entry then
    local behind = (tonumber(redis.call('GET', KEYS[2])) or 0) - tonumber(seq)
    local ms = tonumber(string.match(entry, '^(%d+)-'))
    -- An id trimmed out of history (by count or age) may be published again, as in memory.
    if behind >= 0 and behind < size and ms ~= nil and ms >= oldest then
      return { 1, entry }
    end
  end
end

-- The entry before this one: a publishing hub whose reader has delivered exactly up to it may
-- deliver this update at once, in order, without waiting for its blocking read.
local before = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local previous = '0-0'
if before[1] then previous = before[1][1] end
local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 't', ARGV[2], 'd', ARGV[3], 'p', ARGV[4], 'y', ARGV[5], 'r', ARGV[6])
local seq = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[3], entry .. ' ' .. seq, 'PX', ARGV[8])
redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[9])
if oldest > 0 then
  redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-0', oldest))
end
return { 0, entry, previous }
