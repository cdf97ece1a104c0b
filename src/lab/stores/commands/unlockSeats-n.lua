--[[
  Concurrency Lab: unlocks the seats that the owner still holds (a lock that expired and was taken
  by someone else is left alone: compare and delete in one step).

  Input:
    KEYS[1..n] the seats' lock keys
    ARGV[1]    owner

  Output: the number of locks deleted
]]
local deleted = 0
for _, key in ipairs(KEYS) do
  if redis.call("GET", key) == ARGV[1] then deleted = deleted + redis.call("DEL", key) end
end
return deleted
