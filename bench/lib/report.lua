-- wrk script shared by the scenarios.
--   WRK_PATHS_FILE: one request path per line, picked at random per request
--   WRK_PATH:       a path template; "{id}" becomes a random 1..WRK_ID_MAX
--   WRK_HEADER:     optional "Name: value" header sent with every request
-- done() prints one line: BENCH <req/s> <p50 ms> <p95 ms> <p99 ms> <non-2xx+errors> <requests>
local paths = {}
local template = os.getenv("WRK_PATH") or "/"
local id_max = tonumber(os.getenv("WRK_ID_MAX") or "1")
local header = os.getenv("WRK_HEADER")

local file = os.getenv("WRK_PATHS_FILE")
if file and file ~= "" then
  for line in io.lines(file) do
    if line ~= "" then paths[#paths + 1] = line end
  end
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  if header then
    local name, value = header:match("^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
end

function request()
  local path
  if #paths > 0 then
    path = paths[math.random(1, #paths)]
  else
    path = template:gsub("{id}", tostring(math.random(1, id_max)))
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local bad = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("BENCH\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%d\n",
    summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    bad, summary.requests))
end
