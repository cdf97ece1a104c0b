--[[
  Files a hold in the global expiring index under the time it next needs the sweeper. The index
  key is declared (KEYS[2]) and given only on a single Redis, where filing in the same step costs
  no round trip and can never be lost; on Redis Cluster the index is in another slot, so the store
  files the expiry with ZADD LT after the step instead.
]]
local function indexExpiry(indexKey, at, member)
  if indexKey then rcall("ZADD", indexKey, at, member) end
end
