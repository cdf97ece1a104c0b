--[[
  The sweeper's step for one showtime, and the arbiter when several app instances sweep at once:
  each hold below is judged on Redis's clock, and an expiry is freed, and so reported, only by the
  first call that sees it.

  Input:
    KEYS[1] showtime base `{st:<showtimeId>}:` (seats, version, hold:<id>, owner:<owner> derived from it)

    ARGV[1] tombstoneMs: how long an expired hold is remembered after it is freed
    ARGV[2] stalledRetryMs: a stalled confirm is reported again after this long if nobody settled it
    ARGV[3..] holdIds the global `expiring` index says may be due

  Output:
    { OK, outcome... }, one outcome per hold id, in order:
      { "e", holdId, version, freedSeatsCsv }  expired now: its seats (those still its own) are free
      { "s", holdId, retryAt }                 a confirm stalled past its grace; look again at retryAt
      { "l", holdId, dueAt }                   not due yet (extended, or confirming within its grace)
      { "g", holdId }                          gone: released, booked, or already expired
    { NOT_LOADED }                             Redis lost the showtime: nothing here is due any more
]]
--- @include "includes/time"
--- @include "includes/keys"
--- @include "includes/entry"
--- @include "includes/hold"

local base = KEYS[1]
local tombstoneMs, stalledRetryMs = tonumber(ARGV[1]), tonumber(ARGV[2])
if not isLoaded(base) then return { CODE.NOT_LOADED } end
local now = nowMs()

local reply = { CODE.OK }
for i = 3, #ARGV do
  local holdId = ARGV[i]
  local hold = readHold(base, holdId)
  local outcome
  if not hold or hold.state == "booked" or hold.state == "expired" then
    outcome = { "g", holdId }
  elseif hold.expiresAt > now then
    outcome = { "l", holdId, hold.expiresAt }
  elseif hold.state == "held" then
    local freed, version = freeHold(base, hold)
    local key = holdKey(base, holdId)
    rcall("HSET", key, "state", "expired")
    rcall("PEXPIREAT", key, now + tombstoneMs)
    outcome = { "e", holdId, version, table.concat(freed, ",") }
  elseif hold.stalledUntil > now then
    -- Another sweeper reported this stall moments ago.
    outcome = { "l", holdId, hold.stalledUntil }
  else
    local retryAt = now + stalledRetryMs
    rcall("HSET", holdKey(base, holdId), "stalledUntil", retryAt)
    outcome = { "s", holdId, retryAt }
  end
  reply[#reply + 1] = outcome
end
return reply
