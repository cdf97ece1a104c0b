--[[
  A seat's entry in the showtime's `seats` hash: `<state>|<expiresAt>|<holdId>|<owner>`, state h
  (held), c (confirming) or b (booked). The owner goes last because it is the one field a client
  may choose (the FirstClick surface trusts its user_id), so it may itself contain `|`; hold ids are
  made by the service and never do.
]]
local function encodeEntry(state, expiresAt, holdId, owner)
  return state .. "|" .. string.format("%d", expiresAt) .. "|" .. holdId .. "|" .. owner
end

-- Returns state, expiresAt, holdId, owner; nil for a missing entry.
local function decodeEntry(entry)
  if not entry then return nil end
  local state, expiresAt, holdId, owner = string.match(entry, "^(%a)|(%d+)|([^|]*)|(.*)$")
  return state, tonumber(expiresAt), holdId, owner
end

-- Lazy expiry: a held seat whose time is up is free, whether or not the sweeper has run yet.
-- A confirming seat stays taken until the confirm completes or aborts.
local function entryTaken(state, expiresAt, now)
  return state ~= nil and (state ~= "h" or expiresAt > now)
end
