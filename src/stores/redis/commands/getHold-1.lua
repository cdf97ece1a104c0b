--[[
  One hold as the store sees it; a swept expired hold (tombstone) or a released one is gone.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (version, hold:<id> derived from it)

    ARGV[1] holdId

  Output:
    { OK, owner, seatsCsv, createdAt, expiresAt, state }
    { OK }  no such hold
    { NOT_LOADED }
]]
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
if not isLoaded(base) then return { CODE.NOT_LOADED } end
local hold = readHold(base, ARGV[1])
if not hold or hold.state == "expired" then return { CODE.OK } end
local reply = { CODE.OK, hold.owner }
for _, v in ipairs(holdReply(hold)) do reply[#reply + 1] = v end
return reply
