-- wrk script: each request carries a random one of the seeded session cookies.
-- wrk ... -s bench/cookies.lua URL -- COOKIE_FILE
local cookies = {}

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      if #line > 0 then cookies[#cookies + 1] = line end
    end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  if #cookies == 0 then return wrk.format("GET") end
  return wrk.format("GET", nil, { ["Cookie"] = cookies[math.random(#cookies)] })
end
