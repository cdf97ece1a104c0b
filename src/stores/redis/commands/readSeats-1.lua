--[[
  The seats of a showtime that are not available, read in O(seats of the showtime) with one HGETALL,
  and the version they were read at. Held seats whose time is up are left out (lazy expiry).

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version derived from it)

  Output:
    { OK, version, seat, status, holdId, owner, expiresAt, ... }  five fields per taken seat;
                                                                    status held | booked, expiresAt 0 when booked
    { NOT_LOADED }
]]
--- @include "includes/time"
--- @include "includes/keys"
--- @include "includes/entry"

local base = KEYS[1]
if not isLoaded(base) then return { CODE.NOT_LOADED } end
local now = nowMs()
local reply = { CODE.OK, tonumber(rcall("GET", versionKey(base))) }
local all = rcall("HGETALL", seatsKey(base))
for i = 1, #all, 2 do
  local state, expiresAt, holdId, owner = decodeEntry(all[i + 1])
  if all[i] ~= LOADED_FIELD and entryTaken(state, expiresAt, now) then
    reply[#reply + 1] = all[i]
    reply[#reply + 1] = state == "b" and "booked" or "held"
    reply[#reply + 1] = holdId
    reply[#reply + 1] = owner
    reply[#reply + 1] = state == "b" and 0 or expiresAt
  end
end
return reply
