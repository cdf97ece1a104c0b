--[[
  A booking was cancelled in the database (its seats deleted there): frees the seats that still
  point to it and forgets its hold. Only a booked hold is freed; a hold in any other state, or none,
  is left as it is, so a retried cancel changes nothing.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)

    ARGV[1] bookingId (the id of the hold it was confirmed from)

  Output:
    { OK, version, freedSeat... }  freed now
    { OK }                         nothing to free (not booked, already freed, or unknown)
    { NOT_LOADED }
]]
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
if not isLoaded(base) then return { CODE.NOT_LOADED } end
local hold = readHold(base, ARGV[1])
if not hold or hold.state ~= "booked" then return { CODE.OK } end

local freed, version = freeHold(base, hold)
rcall("DEL", holdKey(base, hold.id))
local reply = { CODE.OK, version }
for _, seat in ipairs(freed) do reply[#reply + 1] = seat end
return reply
