--[[
  Makes a showtime known and marks the seats of bookings read from the database as booked; they win
  over anything the store believed about those seats. Idempotent: a seat already booked here for
  its booking changes nothing. Each seat is checked on its own, not by its booking's hash, so a
  seats hash lost alone (the hold hashes kept) is rebuilt too. A showtime seen for the first time
  starts its version at Redis's clock in ms, so versions keep growing across a Redis that lost its
  data. Sets the "loaded" marker inside the seats hash last.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)

    ARGV[3i+1], ARGV[3i+2], ARGV[3i+3]  bookingId, owner, seatsCsv of each booking

  Output:
    { OK, version, changedSeat... }  version bumped once if any seat changed
]]
--- @include "includes/time"
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
local now = nowMs()
rcall("SET", versionKey(base), now, "NX")

local changed = {}
local seatFields = {}
for i = 1, #ARGV, 3 do
  local bookingId, owner, seatsCsv = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local existing = readHold(base, bookingId)
  if not existing or existing.state ~= "booked" then
    if existing then rcall("SREM", ownerKey(base, existing.owner), bookingId) end
    local key = holdKey(base, bookingId)
    rcall("DEL", key)
    rcall("HSET", key, "owner", owner, "seats", seatsCsv, "createdAt", now, "expiresAt", 0, "state", "booked")
  end
  local seats = splitSeats(seatsCsv)
  local entries = rcall("HMGET", seatsKey(base), unpack(seats))
  local entry = encodeEntry("b", 0, bookingId, owner)
  for j, seat in ipairs(seats) do
    local state, _, holdId = decodeEntry(entries[j])
    if state ~= "b" or holdId ~= bookingId then
      changed[#changed + 1] = seat
      seatFields[#seatFields + 1] = seat
      seatFields[#seatFields + 1] = entry
    end
  end
end
-- In chunks: unpack of a whole sold-out auditorium could pass Lua's limit on call arguments.
for i = 1, #seatFields, 1000 do
  rcall("HSET", seatsKey(base), unpack(seatFields, i, math.min(i + 999, #seatFields)))
end
rcall("HSET", seatsKey(base), LOADED_FIELD, now)

local reply = { CODE.OK, #changed > 0 and bumpVersion(base) or tonumber(rcall("GET", versionKey(base))) }
for _, seat in ipairs(changed) do reply[#reply + 1] = seat end
return reply
