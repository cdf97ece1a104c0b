--[[
  Frees the seats of a held hold, for its owner only. Releasing a hold that is already gone
  (released, or expired and swept) is not an error.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)

    ARGV[1] holdId
    ARGV[2] owner

  Output:
    { OK, version, freedSeat... }  released now (version bumped even if every seat was lost already)
    { OK }                         nothing to release
    { NOT_HOLD_OWNER } { HOLD_CONFIRMED } { NOT_LOADED }
]]
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
local holdId, owner = ARGV[1], ARGV[2]

if not isLoaded(base) then return { CODE.NOT_LOADED } end
local hold = readHold(base, holdId)
if not hold then return { CODE.OK } end
if hold.owner ~= owner then return { CODE.NOT_HOLD_OWNER } end
if hold.state == "expired" then return { CODE.OK } end
if hold.state ~= "held" then return { CODE.HOLD_CONFIRMED } end

local freed, version = freeHold(base, hold)
rcall("DEL", holdKey(base, holdId))
local reply = { CODE.OK, version }
for _, seat in ipairs(freed) do reply[#reply + 1] = seat end
return reply
