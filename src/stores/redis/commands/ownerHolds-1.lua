--[[
  The live holds of one owner in a showtime: held and not yet expired, or confirming.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (version, owner:<owner>, hold:<id> derived from it)

    ARGV[1] owner

  Output:
    { OK, holdId, seatsCsv, createdAt, expiresAt, state, ... }  five fields per hold
    { NOT_LOADED }
]]
--- @include "includes/time"
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
if not isLoaded(base) then return { CODE.NOT_LOADED } end
local now = nowMs()
local reply = { CODE.OK }
for _, id in ipairs(rcall("SMEMBERS", ownerKey(base, ARGV[1]))) do
  local hold = readHold(base, id)
  if hold and (hold.state == "confirming" or (hold.state == "held" and hold.expiresAt > now)) then
    reply[#reply + 1] = id
    for _, v in ipairs(holdReply(hold)) do reply[#reply + 1] = v end
  end
end
return reply
