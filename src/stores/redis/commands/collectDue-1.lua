--[[
  The index entries that are due on Redis's clock, earliest first.

  Input:
    KEYS[1] the global expiring index

    ARGV[1] limit

  Output:
    { member, score, member, score, ... }
]]
--- @include "includes/time"

return rcall("ZRANGEBYSCORE", KEYS[1], "-inf", nowMs(), "WITHSCORES", "LIMIT", 0, tonumber(ARGV[1]))
