-- wrk script shared by the search scenarios (50-65). The paths to request
-- come one per line from the file named by $PATHS_FILE (read in every wrk
-- thread, each starting at a different offset); done() prints one TSV row:
-- name  req_per_s  p50_ms  p95_ms  p99_ms  note
local paths = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("PATHS_FILE")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local note = os.getenv("BENCH_NOTE") or ""
  if bad > 0 then note = note .. " errors=" .. bad end
  io.write(string.format("%s\t%.0f\t%.2f\t%.2f\t%.2f\t%s\n", os.getenv("BENCH_NAME"), summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, note))
end
