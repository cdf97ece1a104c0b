--[[
  Files a hold in the global expiry index under its current expiry, if it is held or confirming.
  Sent in the same pipeline as hold, extend or beginConfirm on a single Redis, so indexing costs no
  round trip and a failed hold leaves nothing behind. Its two keys are in different slots, so it is
  never used on Redis Cluster, where the store sends ZADD LT after a successful step instead.
  LT: the index keeps the earliest time the hold may need the sweeper; expireHolds reports the
  real one and settleExpiring moves the entry there, so a later extend is never announced early.

  Input:
    KEYS[1] the hold's hash `{st:<showtimeId>}:hold:<holdId>`
    KEYS[2] the global expiring index

    ARGV[1] the index member `<showtimeId>\n<holdId>`

  Output:
    1 filed, 0 the hold is not live (the step before it failed)
]]
local f = rcall("HMGET", KEYS[1], "state", "expiresAt")
if f[1] ~= "held" and f[1] ~= "confirming" then return 0 end
rcall("ZADD", KEYS[2], "LT", f[2], ARGV[1])
return 1
