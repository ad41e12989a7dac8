-- wrk script for /internal/authz: every request carries a bearer token read
-- from the file in $AUTHZ_TOKENS (one secret per line).
--   wrk ... -s tokens.lua                random token per request (the hot path)
--   wrk ... -s tokens.lua -- seq [START] each thread walks its own slice of the
--                                        file in order, from START within it
--                                        (the cold path: every request a token
--                                        the server has not seen yet)
-- With AUTHZ_COUNT=1, done() prints "authz-thread <id> <responses> <slice>"
-- per thread, so that the run script can resume a sequential walk (warm-up).

local tokens = {}
local mode = "random"
-- Globals, not locals: done() reads them with thread:get().
first, last, pos = 1, 0, 0
responses = 0
local headers = {}

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  thread:set("nthreads", 0) -- filled in below once all threads exist
  counter = counter + 1
  table.insert(threads, thread)
  for _, t in ipairs(threads) do t:set("nthreads", counter) end
end

local function load(path)
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in f:lines() do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  f:close()
  assert(#tokens > 0, "no tokens in " .. path)
end

function init(args)
  load(os.getenv("AUTHZ_TOKENS"))
  math.randomseed(os.time() * 1000 + (id or 0))
  if args[1] == "seq" then
    mode = "seq"
    local n = nthreads or 1
    local per = math.ceil(#tokens / n)
    first = (id or 0) * per + 1
    last = math.min(#tokens, first + per - 1)
    pos = first + (tonumber(args[2]) or 0)
  end
end

function request()
  local t
  if mode == "seq" then
    if pos > last then pos = first end -- wrapped: the rest of this run is hot
    t = tokens[pos]
    pos = pos + 1
  else
    t = tokens[math.random(#tokens)]
  end
  headers["Authorization"] = "Bearer " .. t
  return wrk.format("GET", "/internal/authz", headers)
end

if os.getenv("AUTHZ_COUNT") == "1" then
  -- Only when asked: a response() callback makes wrk parse every response
  -- into Lua, which costs throughput.
  function response(status, hdrs, body)
    responses = responses + 1
  end
end

function done(summary, latency, requests)
  if os.getenv("AUTHZ_COUNT") ~= "1" then return end
  for _, t in ipairs(threads) do
    io.write(string.format("authz-thread %d %d %d\n", t:get("id"), t:get("responses") or 0,
                           (t:get("last") or 0) - (t:get("first") or 0) + 1))
  end
end
