--[[
  A hold's hash: owner, seats (comma-separated), createdAt, expiresAt, state (held | confirming |
  booked | expired) and, for a stalled confirm, stalledUntil. `expired` is the tombstone the sweeper
  leaves, so a late confirm hears HOLD_EXPIRED rather than HOLD_NOT_FOUND.
  Needs includes/keys and includes/entry.
]]
local STATE_LETTER = { held = "h", confirming = "c", booked = "b" }

local function splitSeats(csv)
  local seats = {}
  for seat in string.gmatch(csv, "[^,]+") do seats[#seats + 1] = seat end
  return seats
end

local function readHold(base, holdId)
  local f = rcall("HMGET", holdKey(base, holdId), "owner", "seats", "createdAt", "expiresAt", "state", "stalledUntil")
  if not f[1] then return nil end
  return {
    id = holdId, owner = f[1], seatsCsv = f[2], seats = splitSeats(f[2]),
    createdAt = tonumber(f[3]), expiresAt = tonumber(f[4]), state = f[5], stalledUntil = tonumber(f[6] or "0"),
  }
end

-- What the store replies about a hold: seats, createdAt, expiresAt, state.
local function holdReply(hold)
  return { hold.seatsCsv, hold.createdAt, hold.expiresAt, hold.state }
end

-- The hold if `owner` may act on it, else nil and the result code (memory store's ownedHold).
local function ownedHold(base, holdId, owner)
  local hold = readHold(base, holdId)
  if not hold then return nil, CODE.HOLD_NOT_FOUND end
  if hold.owner ~= owner then return nil, CODE.NOT_HOLD_OWNER end
  if hold.state == "expired" then return nil, CODE.HOLD_EXPIRED end
  return hold
end

-- Rewrites the entries of the seats that still point to this hold (the rest were taken by someone
-- else after it expired, or by a booking restored from the database) from the hold's hash.
local function rewriteSeats(base, hold)
  local key = seatsKey(base)
  local entries = rcall("HMGET", key, unpack(hold.seats))
  local entry = encodeEntry(STATE_LETTER[hold.state], hold.expiresAt, hold.id, hold.owner)
  local fields = {}
  for i, seat in ipairs(hold.seats) do
    local _, _, holdId = decodeEntry(entries[i])
    if holdId == hold.id then
      fields[#fields + 1] = seat
      fields[#fields + 1] = entry
    end
  end
  if #fields > 0 then rcall("HSET", key, unpack(fields)) end
end

-- Frees only the seats that still point to this hold, forgets it for its owner's limit and bumps
-- the version once. The caller decides what becomes of the hold's own hash.
local function freeHold(base, hold)
  local key = seatsKey(base)
  local entries = rcall("HMGET", key, unpack(hold.seats))
  local freed = {}
  for i, seat in ipairs(hold.seats) do
    local _, _, holdId = decodeEntry(entries[i])
    if holdId == hold.id then freed[#freed + 1] = seat end
  end
  if #freed > 0 then rcall("HDEL", key, unpack(freed)) end
  rcall("SREM", ownerKey(base, hold.owner), hold.id)
  return freed, bumpVersion(base)
end
