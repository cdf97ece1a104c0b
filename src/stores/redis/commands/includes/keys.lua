--[[
  Keys of one showtime, derived from its base `{st:<showtimeId>}:` (KEYS[1] of every per-showtime
  script). They share the base's hash tag, so they live in the slot of KEYS[1]: deriving them here
  rather than declaring them is safe on Redis Cluster. KEY holds the suffixes, injected from keys.ts.
]]
local function versionKey(base) return base .. KEY.version end
local function seatsKey(base) return base .. KEY.seats end
local function holdKey(base, holdId) return base .. KEY.hold .. holdId end
local function ownerKey(base, owner) return base .. KEY.owner .. owner end

-- Redis has no (whole) state for this showtime: first use, or it lost its data, all of it or only
-- the seats hash or the version. The marker lives inside the seats hash, so losing the hash loses it.
local function isLoaded(base)
  return rcall("HEXISTS", seatsKey(base), LOADED_FIELD) == 1 and rcall("EXISTS", versionKey(base)) == 1
end

local function bumpVersion(base)
  return rcall("INCR", versionKey(base))
end
