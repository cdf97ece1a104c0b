--[[
  Redis's own clock in epoch milliseconds. Every decision about expiry is taken on this one clock,
  inside the script that acts on it (G4); the app's clock never decides. Redis 7 replicates a
  script's effects rather than the script, so reading TIME before writing is allowed.
]]
local function nowMs()
  local t = rcall("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
