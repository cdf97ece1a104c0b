--[[
  After the booking is durable: every seat of a confirming hold becomes booked for good, whoever
  the store believed held it (the database wins).

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)

    ARGV[1] holdId

  Output:
    { OK, version, seat... }  booked now
    { OK }                    the hold is not confirming (already completed, aborted or unknown)
    { NOT_LOADED }
]]
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
if not isLoaded(base) then return { CODE.NOT_LOADED } end
local hold = readHold(base, ARGV[1])
if not hold or hold.state ~= "confirming" then return { CODE.OK } end

rcall("HSET", holdKey(base, hold.id), "state", "booked")
rcall("SREM", ownerKey(base, hold.owner), hold.id)
local entry = encodeEntry("b", 0, hold.id, hold.owner)
local fields = {}
for _, seat in ipairs(hold.seats) do
  fields[#fields + 1] = seat
  fields[#fields + 1] = entry
end
rcall("HSET", seatsKey(base), unpack(fields))

local reply = { CODE.OK, bumpVersion(base) }
for _, seat in ipairs(hold.seats) do reply[#reply + 1] = seat end
return reply
