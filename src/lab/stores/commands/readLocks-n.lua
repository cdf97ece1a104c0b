--[[
  Concurrency Lab: the live seat locks with their time to live, for the hold store panel.

  Input:
    KEYS[1..n] the seats' lock keys

  Output: { i, owner, pttlMs, ... } for each key that exists (i is the key's 1-based index)
]]
local out = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call("GET", key)
  if owner then
    out[#out + 1] = i
    out[#out + 1] = owner
    out[#out + 1] = redis.call("PTTL", key)
  end
end
return out
