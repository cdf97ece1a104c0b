--[[
  Concurrency Lab: locks several seats for one owner, all or none (the multi-seat SET NX EX).
  A single seat needs no script: the lab sends SET <key> <owner> NX EX <ttl> for it.

  Input:
    KEYS[1..n] the seats' lock keys `{lab:<showtimeId>}:seat:<seatId>`, in seat order
    ARGV[1]    owner
    ARGV[2]    ttl in seconds

  Output:
    {}            every seat is now locked by the owner
    { i, ... }    the 1-based indexes of the keys someone already holds; nothing was locked
]]
local taken = {}
for i, key in ipairs(KEYS) do
  if redis.call("EXISTS", key) == 1 then taken[#taken + 1] = i end
end
if #taken > 0 then return taken end
for _, key in ipairs(KEYS) do
  redis.call("SET", key, ARGV[1], "NX", "EX", ARGV[2])
end
return {}
