--[[
  A confirm that never reached the database: frees the seats of a confirming hold.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)

    ARGV[1] holdId

  Output:
    { OK, version, freedSeat... }  freed now
    { OK }                         the hold is not confirming
    { NOT_LOADED }
]]
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
if not isLoaded(base) then return { CODE.NOT_LOADED } end
local hold = readHold(base, ARGV[1])
if not hold or hold.state ~= "confirming" then return { CODE.OK } end

local freed, version = freeHold(base, hold)
rcall("DEL", holdKey(base, hold.id))
local reply = { CODE.OK, version }
for _, seat in ipairs(freed) do reply[#reply + 1] = seat end
return reply
