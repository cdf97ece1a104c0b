--[[
  After a sweep: removes or moves the index entries it processed, each only if its score is still
  the one the sweep read. An entry that changed meanwhile (an extend or a confirm filed an earlier
  time) is left for the next sweep, so no concurrent update is lost.

  Input:
    KEYS[1] the global expiring index

    ARGV[3i+1], ARGV[3i+2], ARGV[3i+3]  member, the score the sweep read, the new score ("" to remove)

  Output:
    the number of entries removed or moved
]]
local settled = 0
for i = 1, #ARGV, 3 do
  local score = rcall("ZSCORE", KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    if ARGV[i + 2] == "" then
      rcall("ZREM", KEYS[1], ARGV[i])
    else
      rcall("ZADD", KEYS[1], ARGV[i + 2], ARGV[i])
    end
    settled = settled + 1
  end
end
return settled
