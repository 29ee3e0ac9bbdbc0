--[[
  Finds where a reconnecting subscriber's cursor sits in the stream, by index (no scan).
  KEYS[1] the update stream
  KEYS[2] the id index key of the cursor
  Reply: { entryId or "", maxDeletedEntryId or "0-0" }. The cursor is usable only when it has an
  entry id and nothing after it was trimmed (entryId >= maxDeletedEntryId), compared by the caller.
]]
local entry = redis.call('GET', KEYS[2]) or ''
local maxDeleted = '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'max-deleted-entry-id' then
      maxDeleted = info[i + 1]
    end
  end
end
return { entry, maxDeleted }
