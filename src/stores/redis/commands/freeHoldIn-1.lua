--[[
  Frees the seats of a hold that is in the given state and forgets the hold; a hold in any other
  state, or none, is left as it is, so a retry changes nothing. Two uses:
    'confirming': a confirm that never reached the database (abortConfirm);
    'booked':     a booking cancelled in the database, its seats deleted there (releaseBooking;
                  a booking's id is the id of the hold it was confirmed from).

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)

    ARGV[1] holdId
    ARGV[2] state the hold must be in: confirming | booked

  Output:
    { OK, version, freedSeat... }  freed now
    { OK }                         nothing to free (another state, already freed, or unknown)
    { NOT_LOADED }
]]
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
if not isLoaded(base) then return { CODE.NOT_LOADED } end
local hold = readHold(base, ARGV[1])
if not hold or hold.state ~= ARGV[2] then return { CODE.OK } end

local freed, version = freeHold(base, hold)
rcall("DEL", holdKey(base, hold.id))
local reply = { CODE.OK, version }
for _, seat in ipairs(freed) do reply[#reply + 1] = seat end
return reply
