--[[
  Moves a held hold's expiry to now + ttlMs, never past createdAt + maxLifeMs, for its owner only.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id> derived from it)
    KEYS[2] the global expiring index; given on a single Redis only (on Redis Cluster it lives in
            another slot, and the store files the expiry itself after the step)

    ARGV[1] holdId
    ARGV[2] owner
    ARGV[3] ttlMs
    ARGV[4] maxLifeMs
    ARGV[5] tombstoneMs: how long the hold's hash outlives its expiry
    ARGV[6] the hold's member in the expiring index, `<showtimeId>\n<holdId>`

  Output:
    { OK, version, seatsCsv, createdAt, expiresAt, state }
    { HOLD_NOT_FOUND } { NOT_HOLD_OWNER } { HOLD_EXPIRED }
    { HOLD_CONFIRMED }  the hold is confirming or booked
    { NOT_LOADED }
]]
--- @include "includes/time"
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"
--- @include "includes/index"

local base = KEYS[1]
local ttlMs, maxLifeMs, tombstoneMs = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])

if not isLoaded(base) then return { CODE.NOT_LOADED } end
local now = nowMs()
local hold, code = ownedHold(base, ARGV[1], ARGV[2])
if not hold then return { code } end
if hold.state ~= "held" then return { CODE.HOLD_CONFIRMED } end
if hold.expiresAt <= now then return { CODE.HOLD_EXPIRED } end

-- Never shortens a hold: a ttl shorter than what is left keeps the current expiry.
hold.expiresAt = math.max(hold.expiresAt, math.min(now + ttlMs, hold.createdAt + maxLifeMs))
local key = holdKey(base, hold.id)
rcall("HSET", key, "expiresAt", hold.expiresAt)
rcall("PEXPIREAT", key, hold.expiresAt + tombstoneMs)
rewriteSeats(base, hold)
indexExpiry(KEYS[2], hold.expiresAt, ARGV[6])

local reply = { CODE.OK, bumpVersion(base) }
for _, v in ipairs(holdReply(hold)) do reply[#reply + 1] = v end
return reply
