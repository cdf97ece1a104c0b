--[[
  Gives every live held hold of one owner in a showtime to another owner, all or none (a guest who
  logs in keeps their seats). The receiver's per-owner limit is checked in the same step.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)

    ARGV[1] fromOwner
    ARGV[2] toOwner
    ARGV[3] maxSeatsPerOwner: seats toOwner may hold in this showtime, the moved ones included

  Output:
    { OK, version, holdId, seatsCsv, createdAt, expiresAt, state, ... }  five fields per moved hold
    { OK }                   nothing to move
    { HOLD_LIMIT_EXCEEDED }  nothing moved
    { NOT_LOADED }
]]
--- @include "includes/time"
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
local fromOwner, toOwner, maxSeats = ARGV[1], ARGV[2], tonumber(ARGV[3])

if not isLoaded(base) then return { CODE.NOT_LOADED } end
if fromOwner == toOwner then return { CODE.OK } end
local now = nowMs()

local moving, movingSeats = {}, 0
for _, id in ipairs(rcall("SMEMBERS", ownerKey(base, fromOwner))) do
  local hold = readHold(base, id)
  if hold and hold.state == "held" and hold.expiresAt > now then
    moving[#moving + 1] = hold
    movingSeats = movingSeats + #hold.seats
  end
end
if #moving == 0 then return { CODE.OK } end

local count = 0
for _, id in ipairs(rcall("SMEMBERS", ownerKey(base, toOwner))) do
  local f = rcall("HMGET", holdKey(base, id), "state", "expiresAt", "seats")
  if f[1] == "confirming" or (f[1] == "held" and tonumber(f[2]) > now) then count = count + #splitSeats(f[3]) end
end
if count + movingSeats > maxSeats then return { CODE.HOLD_LIMIT_EXCEEDED } end

local reply = { CODE.OK, 0 }
for _, hold in ipairs(moving) do
  hold.owner = toOwner
  rcall("HSET", holdKey(base, hold.id), "owner", toOwner)
  rewriteSeats(base, hold)
  rcall("SREM", ownerKey(base, fromOwner), hold.id)
  rcall("SADD", ownerKey(base, toOwner), hold.id)
  reply[#reply + 1] = hold.id
  for _, v in ipairs(holdReply(hold)) do reply[#reply + 1] = v end
end
reply[2] = bumpVersion(base)
return reply
