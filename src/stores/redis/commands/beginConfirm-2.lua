--[[
  The moment of truth of a confirm (G4): checks owner and expiry on Redis's clock and, in the same
  step, moves a held hold to `confirming` for graceMs so it cannot expire while the booking is
  written. A hold already confirming or booked is returned as it is (a retried confirm). The
  version does not change: the seats look the same to buyers.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id> derived from it)
    KEYS[2] the global expiring index; given on a single Redis only (on Redis Cluster it lives in
            another slot, and the store files the expiry itself after the step)

    ARGV[1] holdId
    ARGV[2] owner
    ARGV[3] graceMs
    ARGV[4] the hold's member in the expiring index, `<showtimeId>\n<holdId>`

  Output:
    { OK, seatsCsv, createdAt, expiresAt, state }
    { HOLD_NOT_FOUND } { NOT_HOLD_OWNER } { HOLD_EXPIRED } { NOT_LOADED }
]]
--- @include "includes/time"
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"
--- @include "includes/index"

local base = KEYS[1]
local graceMs = tonumber(ARGV[3])

if not isLoaded(base) then return { CODE.NOT_LOADED } end
local now = nowMs()
local hold, code = ownedHold(base, ARGV[1], ARGV[2])
if not hold then return { code } end

if hold.state == "held" then
  if hold.expiresAt <= now then return { CODE.HOLD_EXPIRED } end
  hold.state = "confirming"
  hold.expiresAt = now + graceMs
  local key = holdKey(base, hold.id)
  rcall("HSET", key, "state", hold.state, "expiresAt", hold.expiresAt)
  -- A confirming hold is settled by completeConfirm or abortConfirm, never by time alone.
  rcall("PERSIST", key)
  rewriteSeats(base, hold)
  indexExpiry(KEYS[2], hold.expiresAt, ARGV[4])
end

local reply = { CODE.OK }
for _, v in ipairs(holdReply(hold)) do reply[#reply + 1] = v end
return reply
