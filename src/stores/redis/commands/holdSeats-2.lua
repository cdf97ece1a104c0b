--[[
  Holds every requested seat for a new hold, or none (G2, G3).

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)
    KEYS[2] the global expiring index; given on a single Redis only (on Redis Cluster it lives in
            another slot, and the store files the expiry itself after the step)

    ARGV[1] holdId (new, made by the service)
    ARGV[2] owner
    ARGV[3] ttlMs
    ARGV[4] maxSeatsPerOwner: seats the owner may hold in this showtime, this hold included
    ARGV[5] tombstoneMs: how long the hold's hash outlives its expiry
    ARGV[6] the hold's member in the expiring index, `<showtimeId>\n<holdId>`
    ARGV[7..] seats, sorted and unique

  Output:
    { OK, version, seatsCsv, createdAt, expiresAt, state }
    { SEAT_UNAVAILABLE, takenSeat... }
    { HOLD_LIMIT_EXCEEDED }
    { NOT_LOADED }
]]
--- @include "includes/time"
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"
--- @include "includes/index"

local base = KEYS[1]
local holdId, owner = ARGV[1], ARGV[2]
local ttlMs, maxSeats, tombstoneMs = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local seats = {}
for i = 7, #ARGV do seats[#seats + 1] = ARGV[i] end

if not isLoaded(base) then return { CODE.NOT_LOADED } end
local now = nowMs()

local entries = rcall("HMGET", seatsKey(base), unpack(seats))
local taken = { CODE.SEAT_UNAVAILABLE }
for i, seat in ipairs(seats) do
  local state, expiresAt = decodeEntry(entries[i])
  if entryTaken(state, expiresAt, now) then taken[#taken + 1] = seat end
end
if #taken > 1 then return taken end

-- The owner's seats in live holds; ids of holds that ended without the sweeper are dropped here.
local owned = ownerKey(base, owner)
local count = 0
for _, id in ipairs(rcall("SMEMBERS", owned)) do
  local f = rcall("HMGET", holdKey(base, id), "state", "expiresAt", "seats")
  if f[1] == "confirming" or (f[1] == "held" and tonumber(f[2]) > now) then
    count = count + #splitSeats(f[3])
  else
    rcall("SREM", owned, id)
  end
end
if count + #seats > maxSeats then return { CODE.HOLD_LIMIT_EXCEEDED } end

local hold = {
  id = holdId, owner = owner, seats = seats, seatsCsv = table.concat(seats, ","),
  createdAt = now, expiresAt = now + ttlMs, state = "held",
}
local key = holdKey(base, holdId)
rcall("DEL", key)
rcall("HSET", key, "owner", owner, "seats", hold.seatsCsv, "createdAt", now, "expiresAt", hold.expiresAt, "state", "held")
rcall("PEXPIREAT", key, hold.expiresAt + tombstoneMs)
local entry = encodeEntry("h", hold.expiresAt, holdId, owner)
local fields = {}
for _, seat in ipairs(seats) do
  fields[#fields + 1] = seat
  fields[#fields + 1] = entry
end
rcall("HSET", seatsKey(base), unpack(fields))
rcall("SADD", owned, holdId)
indexExpiry(KEYS[2], hold.expiresAt, ARGV[6])

local reply = { CODE.OK, bumpVersion(base) }
for _, v in ipairs(holdReply(hold)) do reply[#reply + 1] = v end
return reply
